package dev.lockstep.bench;

import dev.lockstep.bench.micro.Adapter;
import dev.lockstep.bench.micro.Workload;
import dev.lockstep.bench.real.RealAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes docs/performance.md: the run, the machine, the versions, the targets, the tables, the configurations. */
final class Report {

    static final String FILE = "performance.md";
    static final String CHART_2PC = "performance-2pc.png";
    static final String CHART_REAL = "performance-real.png";

    private static final String LOCKSTEP = Adapter.LOCKSTEP.id();
    private static final String FLOOR = RealAdapter.FLOOR.cell();
    private static final String RAW = RealAdapter.LOCKSTEP_RAW.cell();
    private static final String POOLED = RealAdapter.LOCKSTEP.cell();

    private final BenchOptions o;
    private final Results r;
    private final StringBuilder md = new StringBuilder();

    private Report(BenchOptions o, Results r) {
        this.o = o;
        this.r = r;
    }

    static void write(BenchOptions o, Results r, Instant started, Duration wall, Path runDir) throws IOException {
        Files.createDirectories(o.out);
        boolean chart2pc = o.micro && o.workloads.contains(Workload.TWO_PHASE)
                && Charts.twoPhase(o, r, o.out.resolve(CHART_2PC));
        boolean chartReal = o.real && Charts.real(o, r, o.out.resolve(CHART_REAL));
        Report report = new Report(o, r);
        report.build(started, wall, runDir, chart2pc, chartReal);
        Files.writeString(o.out.resolve(FILE), report.md.toString());
    }

    private void build(Instant started, Duration wall, Path runDir, boolean chart2pc, boolean chartReal) {
        line("# Performance: Lockstep beside Narayana and Atomikos");
        line("");
        line("Written by the benchmark harness (`benchmarks/`, `dev.lockstep.bench.Bench`) at the end of a run; do "
                + "not edit by hand, run it again. Absolute numbers depend on the machine; the ratios between "
                + "systems measured in the same run are what to compare.");
        line("");
        if (o.note != null) {
            line("> " + o.note);
            line("");
        }
        line("| run | |");
        line("|---|---|");
        line("| command | `" + o.command + "` |");
        line("| started | " + DateTimeFormatter.ISO_INSTANT.format(started.atOffset(ZoneOffset.UTC)
                .toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)) + " |");
        line("| wall time of the measurements | " + minutes(wall) + " (without the Maven build) |");
        line("| set | " + o.describe() + " |");
        String load = r.loadSummary();
        line("| load average of the machine (1 min) | " + (load == null ? "unknown" : load)
                + "; above the number of cores, other work competed with the trials |");
        line("| raw results and trial logs | `" + runDir + "` (not kept in git) |");
        line("");
        targets();
        table("Machine", Machine.describe(o.work));
        Map<String, String> versions = Machine.versions();
        versions.putAll(r.facts());
        table("Versions", versions);
        method();
        for (Workload w : o.workloads) {
            if (o.micro) {
                workload(w, w == Workload.TWO_PHASE && chart2pc);
            }
        }
        if (o.micro) {
            decisionsInPostgres();
        }
        if (o.real) {
            real(chartReal);
        }
        configurations();
        invalid();
    }

    // ---------------------------------------------------------------------------------------------------- targets

    private void targets() {
        line("## The targets of issue 5, as measured in this run");
        line("");
        line("| target | measured | met |");
        line("|---|---|---|");
        if (o.micro && o.runs(Adapter.LOCKSTEP, Workload.TWO_PHASE) && o.runs(Adapter.CEILING_GROUP,
                Workload.TWO_PHASE)) {
            for (int t : o.threads) {
                if (t == 4) {
                    continue; // the issue names 1, 16 and 64 threads
                }
                double ratio = ratio(LOCKSTEP, Adapter.CEILING_GROUP.id(), Workload.TWO_PHASE.id(), t);
                target("two-phase at " + t + " thread(s): ≥ 0.8× the group-commit ceiling",
                        times(ratio) + " (" + tps(LOCKSTEP, "2pc", t) + " vs " + tps("ceiling-group", "2pc", t)
                                + " tx/s)", ratio >= 0.8, Double.isNaN(ratio));
            }
        }
        if (o.micro && o.runs(Adapter.LOCKSTEP, Workload.TWO_PHASE) && o.runs(Adapter.CEILING_GROUP,
                Workload.TWO_PHASE) && o.runs(Adapter.CEILING_WRITER, Workload.TWO_PHASE)) {
            for (int t : o.threads) {
                if (t != 16 && t != 64) {
                    continue; // issue 15 names 16 and 64 threads
                }
                double group = ratio(LOCKSTEP, Adapter.CEILING_GROUP.id(), Workload.TWO_PHASE.id(), t);
                double writer = ratio(LOCKSTEP, Adapter.CEILING_WRITER.id(), Workload.TWO_PHASE.id(), t);
                double ratio = Math.min(group, writer); // against the higher of the two ceilings
                target("two-phase at " + t + " threads: ≥ 0.8× the higher of the two group-commit ceilings "
                        + "(issue 15)", times(ratio) + " (" + tps(LOCKSTEP, "2pc", t) + " vs leader/follower "
                        + tps("ceiling-group", "2pc", t) + ", writer thread " + tps("ceiling-writer", "2pc", t)
                        + " tx/s)", ratio >= 0.8, Double.isNaN(ratio));
            }
        }
        for (Workload w : List.of(Workload.ONE_PHASE, Workload.READ_ONLY)) {
            if (o.micro && o.runs(Adapter.LOCKSTEP, w) && o.runs(Adapter.NARAYANA_FILE, w)) {
                StringBuilder sb = new StringBuilder();
                double min = Double.NaN;
                for (int t : o.threads) {
                    double ratio = ratio(LOCKSTEP, Adapter.NARAYANA_FILE.id(), w.id(), t);
                    sb.append(sb.length() == 0 ? "" : ", ").append(t).append(" thr: ").append(times(ratio));
                    min = Double.isNaN(min) ? ratio : Math.min(min, ratio);
                }
                target((w == Workload.ONE_PHASE ? "one-phase" : "read-only") + ": ≥ 2× Narayana", sb.toString(),
                        min >= 2, Double.isNaN(min));
            }
        }
        if (o.micro && o.runs(Adapter.LOCKSTEP, Workload.TWO_PHASE)) {
            double maxLog = Double.NaN;
            double maxHeap = Double.NaN;
            StringBuilder log = new StringBuilder();
            StringBuilder heap = new StringBuilder();
            for (int t : o.threads) {
                double b = r.median(LOCKSTEP, "2pc", t, "wcharPerTx");
                double h = r.median(LOCKSTEP, "2pc", t, "allocPerTx");
                log.append(log.length() == 0 ? "" : ", ").append(t).append(" thr: ").append(num(b));
                heap.append(heap.length() == 0 ? "" : ", ").append(t).append(" thr: ").append(num(h));
                maxLog = Double.isNaN(maxLog) ? b : Math.max(maxLog, b);
                maxHeap = Double.isNaN(maxHeap) ? h : Math.max(maxHeap, h);
            }
            target("two-phase: ≤ 200 bytes of log per transaction", log + " B", maxLog <= 200, Double.isNaN(maxLog));
            target("two-phase: ≤ 2 KB of heap per transaction", heap + " B", maxHeap <= 2048, Double.isNaN(maxHeap));
        }
        if (o.runs(RealAdapter.LOCKSTEP) && o.runs(RealAdapter.NARAYANA) && o.realThreads.contains(16)) {
            double ratio = ratio(POOLED, RealAdapter.NARAYANA.cell(), "real", 16);
            target("real resources at 16 threads: ≥ 1.3× Narayana + Agroal", times(ratio) + " ("
                    + tps(POOLED, "real", 16) + " vs " + tps(RealAdapter.NARAYANA.cell(), "real", 16) + " tx/s)",
                    ratio >= 1.3, Double.isNaN(ratio));
        }
        if (o.runs(RealAdapter.LOCKSTEP) && o.runs(RealAdapter.BRANCHES) && o.realThreads.contains(1)) {
            double commit = r.median(POOLED, "real", 1, "commitP50us");
            double slowest = slowestBranch();
            double sequential = r.median("branch-all-sequential", "real", 1, "commitP50us");
            target("real resources, 3-branch commit latency close to the slowest branch, not the sum",
                    "Lockstep's commit() p50 " + ms(commit) + " ms; slowest branch alone " + ms(slowest)
                            + " ms; the three in sequence by hand " + ms(sequential) + " ms: "
                            + times(commit / slowest) + " the slowest (1 thread)", commit <= 1.25 * slowest,
                    Double.isNaN(commit) || Double.isNaN(slowest));
        }
        line("");
        line("\"Met\" is judged on the medians of this run only; for the 3-branch commit, \"close\" is taken as at "
                + "most 1.25× the slowest branch. Where a target is missed, what limits it is for the profiler "
                + "(async-profiler or JFR) and the notes of the issue.");
        line("");
    }

    private void target(String what, String measured, boolean met, boolean unknown) {
        line("| " + what + " | " + measured + " | " + (unknown ? "not measured" : met ? "yes" : "**no**") + " |");
    }

    // ---------------------------------------------------------------------------------------------------- method

    private void method() {
        line("## How it is measured");
        line("");
        line("- Each trial runs in its own JVM (the same flags for every system) on one system, one workload and "
                + "every thread count in turn: a warm-up, then a measured window. Trials are interleaved (every "
                + "system once, then every system again, ...) and repeated " + o.repeats + " time(s); the tables "
                + "show the median of the repeats.");
        line("- Workers run transactions back to back (closed loop). Latency is the whole transaction (begin, "
                + "enlist, commit) as HdrHistogram records it for the transactions that end inside the window.");
        line("- **log B/tx**: bytes the trial JVM passed to write system calls during the window (the `wchar` "
                + "delta of `/proc/self/io`) per transaction, the same way for every system; trials log warnings "
                + "only, so this is the transaction log. (`write_bytes` is kept in the raw results but not shown: "
                + "on this kernel and disk it counts whole pages, up to a megabyte per force, and says more about "
                + "the file system than about the log.)");
        line("- **heap B/tx**: the growth of `com.sun.management.ThreadMXBean.getTotalThreadAllocatedBytes` (all "
                + "threads of the trial JVM: workers, the TM's own threads, threads that ended) across the window, "
                + "per transaction. The JIT's escape analysis can remove allocations, so a fast path may show 0.");
        line("- **Validity**: the in-memory resources count every XA call. A cell is valid only if every "
                + "transaction that returned from commit shows, on every resource, start, end, and the calls its "
                + "workload requires (two-phase: prepare and commit(false); one-phase: commit(true) and no "
                + "prepare; read-only: prepare and no commit, or, for at most one branch whose partners all voted "
                + "read-only, commit(true) instead of prepare, the optimization Narayana makes), no rollback, and "
                + "no transaction threw. The ceilings "
                + "check that every transaction's record was forced. Real resources: each database's balances grew "
                + "by exactly the committed transactions, the queue held exactly one message per committed "
                + "transaction, and no prepared branch was left.");
        line("- **Ceilings**: a record of " + Adapter.COMMIT_RECORD_BYTES + " bytes (Lockstep's COMMIT record of "
                + "a two-branch transaction) appended and forced once per record under one lock; and the same "
                + "records group-committed (leader/follower, no timer) into a preallocated file. The XA calls done "
                + "by hand (no TM, no log) show what the protocol itself costs.");
        line("");
    }

    // ---------------------------------------------------------------------------------------------------- in-memory

    private void workload(Workload w, boolean chart) {
        List<Adapter> shown = new ArrayList<>();
        for (Adapter a : o.adapters) {
            if (o.runs(a, w)) {
                shown.add(a);
            }
        }
        if (shown.isEmpty()) {
            return;
        }
        line("## " + switch (w) {
            case TWO_PHASE -> "Two-phase commit";
            case ONE_PHASE -> "One-phase commit";
            case READ_ONLY -> "Read-only";
        } + ": " + w.description());
        line("");
        if (w != Workload.TWO_PHASE) {
            line("Narayana writes no log on this path, so its journal store is not run here; the ceilings are "
                    + "about forced writes and are not run either.");
            line("");
        }
        if (chart) {
            line("![two-phase throughput](" + CHART_2PC + ")");
            line("");
        }
        threadColumns("tx/s (median)", o.threads, " |", "---:|");
        for (Adapter a : shown) {
            StringBuilder row = new StringBuilder("| " + a.label() + " |");
            for (int t : o.threads) {
                row.append(' ').append(tps(a.id(), w.id(), t)).append(" |");
            }
            line(row.toString());
        }
        if (shown.contains(Adapter.LOCKSTEP)) {
            for (Adapter a : shown) {
                if (a == Adapter.LOCKSTEP) {
                    continue;
                }
                StringBuilder row = new StringBuilder("| *Lockstep ÷ " + a.label() + "* |");
                for (int t : o.threads) {
                    row.append(' ').append(times(ratio(LOCKSTEP, a.id(), w.id(), t))).append(" |");
                }
                line(row.toString());
            }
        }
        line("");
        line("| system | threads | tx/s | p50 µs | p99 µs | p99.9 µs | log B/tx | heap B/tx |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Adapter a : shown) {
            for (int t : o.threads) {
                line("| " + a.label() + " | " + t + " | " + tps(a.id(), w.id(), t) + " | "
                        + num(r.median(a.id(), w.id(), t, "latP50us")) + " | "
                        + num(r.median(a.id(), w.id(), t, "latP99us")) + " | "
                        + num(r.median(a.id(), w.id(), t, "latP999us")) + " | "
                        + num(r.median(a.id(), w.id(), t, "wcharPerTx")) + " | "
                        + num(r.median(a.id(), w.id(), t, "allocPerTx")) + " |");
            }
        }
        line("");
        if (w == Workload.TWO_PHASE && shown.contains(Adapter.LOCKSTEP)) {
            StringBuilder sb = new StringBuilder("Lockstep's own counters (`lockstep.metrics()`), median per "
                    + "transaction: ");
            for (int t : o.threads) {
                double tx = r.median(LOCKSTEP, "2pc", t, "ctr.committed");
                double forces = r.median(LOCKSTEP, "2pc", t, "ctr.logForces");
                double bytes = r.median(LOCKSTEP, "2pc", t, "ctr.logBytes");
                sb.append(t).append(" thr: ").append(num(bytes / tx)).append(" log bytes, ")
                        .append(String.format(Locale.ROOT, "%.2f", forces / tx)).append(" forces; ");
            }
            line(sb.toString().replaceAll("; $", ".") + " (Counted over warm-up and window.)");
            line("");
        }
    }

    // ---------------------------------------------------------------------------------------- decisions in PostgreSQL

    /** Issue 13's measurement: Lockstep's database store beside Narayana's JDBC store and a row-per-commit ceiling. */
    private void decisionsInPostgres() {
        String ls = Adapter.LOCKSTEP_PGSTORE.id();
        String ny = Adapter.NARAYANA_JDBCSTORE.id();
        String row = Adapter.CEILING_PG_ROW.id();
        List<Adapter> shown = new ArrayList<>();
        for (Adapter a : List.of(Adapter.LOCKSTEP_PGSTORE, Adapter.NARAYANA_JDBCSTORE, Adapter.CEILING_PG_ROW)) {
            if (o.runs(a, Workload.TWO_PHASE)) {
                shown.add(a);
            }
        }
        if (shown.isEmpty()) {
            return;
        }
        line("## Decisions in PostgreSQL (issue 13)");
        line("");
        line("On the same private PostgreSQL server (synchronous_commit on, fsync on), the two-phase workload (two "
                + "in-memory resources): Lockstep with its database decision store; Narayana with its JDBC object "
                + "store; and the ceiling of a store that commits each decision alone: N connections, each inserting "
                + "one row of " + Adapter.COMMIT_RECORD_BYTES + " bytes and committing it. **round trips**, "
                + "**commits**: counted by the client (a counting DataSource: statements executed, plus explicit "
                + "commits; a statement in autocommit mode is one commit); **server xids**: transactions that wrote, "
                + "counted by the server (the growth of its next transaction id, whoever wrote: lease renewals and "
                + "END batches included); all per transaction, over warm-up and window, median of the repeats.");
        line("");
        if (shown.size() == 3) {
            line("| target | measured | met |");
            line("|---|---|---|");
            if (o.threads.contains(16)) {
                double x = ratio(ls, ny, "2pc", 16);
                target("16 threads: ≥ 10× Narayana's JDBC store", times(x) + " (" + tps(ls, "2pc", 16) + " vs "
                        + tps(ny, "2pc", 16) + " tx/s)", x >= 10, Double.isNaN(x));
            }
            for (int t : List.of(16, 64)) {
                if (o.threads.contains(t)) {
                    double x = ratio(ls, row, "2pc", t);
                    target(t + " threads: ≥ 1.0× the row-per-commit ceiling", times(x) + " (" + tps(ls, "2pc", t)
                            + " vs " + tps(row, "2pc", t) + " tx/s)", x >= 1.0, Double.isNaN(x));
                }
            }
            if (o.threads.contains(1)) {
                double p50 = r.median(ls, "2pc", 1, "latP50us") / r.median(row, "2pc", 1, "latP50us");
                double mean = ratio(row, ls, "2pc", 1);
                target("1 thread: two-phase commit latency ≤ 1.3× one insert-and-commit", "p50 " + times(p50)
                        + " (" + num(r.median(ls, "2pc", 1, "latP50us")) + " vs "
                        + num(r.median(row, "2pc", 1, "latP50us")) + " µs); mean (1/throughput) " + times(mean),
                        p50 <= 1.3, Double.isNaN(p50));
            }
            line("");
        }
        threadColumns("tx/s (median)", o.threads, " |", "---:|");
        for (Adapter a : shown) {
            StringBuilder rowLine = new StringBuilder("| " + a.label() + " |");
            for (int t : o.threads) {
                rowLine.append(' ').append(tps(a.id(), "2pc", t)).append(" |");
            }
            line(rowLine.toString());
        }
        if (shown.contains(Adapter.LOCKSTEP_PGSTORE)) {
            for (Adapter a : shown) {
                if (a == Adapter.LOCKSTEP_PGSTORE) {
                    continue;
                }
                StringBuilder rowLine = new StringBuilder("| *Lockstep, PostgreSQL ÷ " + a.label() + "* |");
                for (int t : o.threads) {
                    rowLine.append(' ').append(times(ratio(ls, a.id(), "2pc", t))).append(" |");
                }
                line(rowLine.toString());
            }
        }
        line("");
        line("| system | threads | tx/s | p50 µs | p99 µs | round trips/tx | commits/tx | server xids/tx "
                + "| heap B/tx |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Adapter a : shown) {
            for (int t : o.threads) {
                double tx = r.median(a.id(), "2pc", t, "ctr.tx");
                line("| " + a.label() + " | " + t + " | " + tps(a.id(), "2pc", t) + " | "
                        + num(r.median(a.id(), "2pc", t, "latP50us")) + " | "
                        + num(r.median(a.id(), "2pc", t, "latP99us")) + " | "
                        + perTx(r.median(a.id(), "2pc", t, "ctr.dbRoundTrips"), tx) + " | "
                        + perTx(r.median(a.id(), "2pc", t, "ctr.dbCommits"), tx) + " | "
                        + perTx(r.median(a.id(), "2pc", t, "ctr.serverXids"), tx) + " | "
                        + num(r.median(a.id(), "2pc", t, "allocPerTx")) + " |");
            }
        }
        line("");
        if (shown.contains(Adapter.LOCKSTEP_PGSTORE)) {
            StringBuilder sb = new StringBuilder("Lockstep's own counters (`lockstep.metrics()`: `logRecords()` ÷ "
                    + "`logForces()`, COMMIT records per fenced statement), median: ");
            for (int t : o.threads) {
                double forces = r.median(ls, "2pc", t, "ctr.logForces");
                double records = r.median(ls, "2pc", t, "ctr.logRecords");
                sb.append(t).append(" thr: ").append(String.format(Locale.ROOT, "%.1f", records / forces))
                        .append("; ");
            }
            line(sb.toString().replaceAll("; $", "."));
            line("");
        }
    }

    private static String perTx(double count, double tx) {
        return Double.isNaN(count) || Double.isNaN(tx) || tx <= 0 ? "n/a"
                : String.format(Locale.ROOT, "%.2f", count / tx);
    }

    // ---------------------------------------------------------------------------------------------------- real

    private void real(boolean chart) {
        line("## Real resources: PostgreSQL + MariaDB + Artemis in one transaction");
        line("");
        line("Each transaction updates one row in PostgreSQL and one in MariaDB (each worker its own row, so no "
                + "lock waits) and sends one JMS message to Artemis, then commits: three two-phase branches, on the "
                + "same private servers of the test harness for every system. **TM only** (issue 15): each worker "
                + "thread holds its own raw XA connections for the whole trial (a PGXAConnection, a MariaDB "
                + "XAConnection, an Artemis XASession and its producer, opened before the first transaction), and "
                + "the TM enlists their XAResources, so only the TM differs. **Floors**: the same connections, no "
                + "TM and no log, XA by hand: in sequence on the worker thread (the floor), or each phase on three "
                + "threads at once (the worker and two helpers of its own: what parallel phases could buy). "
                + "**Pooled**: Lockstep with its own pools against Narayana (default file store, sync on) with "
                + "agroal-narayana and pooled-jms, pools of " + o.poolSize + " for both. \"commit\" is the "
                + "`commit()` call alone (prepare three branches, log, commit three); **CPU µs/tx** is the trial "
                + "JVM's process CPU time (`OperatingSystemMXBean.getProcessCpuTime`: every thread, GC included) less "
                + "its JIT compiler threads' (from `/proc/self/task`), over the window, per committed transaction: "
                + "at a few hundred transactions a second a window still holds compilations, which would charge a "
                + "system for how much code it has rather than for what a transaction costs.");
        line("");
        if (chart) {
            line("![real-resource throughput](" + CHART_REAL + ")");
            line("");
        }
        List<RealAdapter> shown = new ArrayList<>();
        for (RealAdapter a : RealAdapter.values()) {
            if (a.kind() != RealAdapter.Kind.BRANCHES && o.runs(a)) {
                shown.add(a);
            }
        }
        line("| system | threads | tx/s | p50 ms | p99 ms | commit p50 ms | commit p99 ms | CPU µs/tx | mean work "
                + "ms: PostgreSQL / MariaDB / JMS | heap B/tx |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (RealAdapter a : shown) {
            String id = a.cell();
            for (int t : o.realThreads) {
                line("| " + a.label() + " | " + t + " | " + tps(id, "real", t) + " | "
                        + ms(r.median(id, "real", t, "latP50us")) + " | "
                        + ms(r.median(id, "real", t, "latP99us")) + " | "
                        + ms(r.median(id, "real", t, "commitP50us")) + " | "
                        + ms(r.median(id, "real", t, "commitP99us")) + " | "
                        + num(r.median(id, "real", t, "cpuUsPerTx")) + " | "
                        + ms(r.median(id, "real", t, "ctr.pgWorkUs")) + " / "
                        + ms(r.median(id, "real", t, "ctr.mariaWorkUs")) + " / "
                        + ms(r.median(id, "real", t, "ctr.jmsWorkUs")) + " | "
                        + num(r.median(id, "real", t, "allocPerTx")) + " |");
            }
        }
        line("");
        line("\"Work\" is the time of the update or the send (for the pooled systems from asking the pool for a "
                + "connection to closing it), mean over warm-up and window.");
        line("");
        if (o.runs(RealAdapter.FLOOR)) {
            threadColumns("÷ floor (XA by hand in sequence)", o.realThreads, ": tx/s | CPU/tx |", "---:|---:|");
            for (RealAdapter a : shown) {
                StringBuilder row = new StringBuilder("| " + a.label() + " |");
                for (int t : o.realThreads) {
                    row.append(' ').append(times(ratio(a.cell(), FLOOR, "real", t))).append(" | ")
                            .append(times(cpuRatio(a.cell(), FLOOR, t))).append(" |");
                }
                line(row.toString());
            }
            line("");
        }
        issue15Targets();
        if (o.runs(RealAdapter.LOCKSTEP) && o.runs(RealAdapter.NARAYANA)) {
            StringBuilder row = new StringBuilder("Lockstep ÷ Narayana + Agroal, both with their pools, tx/s: ");
            for (int t : o.realThreads) {
                row.append(t).append(" thread(s) ").append(times(ratio(POOLED, RealAdapter.NARAYANA.cell(), "real",
                        t))).append("; ");
            }
            line(row.toString().replaceAll("; $", "."));
            line("");
        }
        if (!o.runs(RealAdapter.BRANCHES)) {
            return;
        }
        line("Each branch alone, by hand, no TM (start, the update or the send, end; then prepare and commit, "
                + "timed), one thread:");
        line("");
        line("| branch | tx/s | prepare+commit p50 ms | p99 ms |");
        line("|---|---:|---:|---:|");
        for (String b : List.of("postgresql", "mariadb", "artemis", "all-sequential")) {
            String id = "branch-" + b;
            String label = b.equals("all-sequential") ? "all three by hand: prepare each, then commit each" : b;
            line("| " + label + " | " + tps(id, "real", 1) + " | " + ms(r.median(id, "real", 1, "commitP50us"))
                    + " | " + ms(r.median(id, "real", 1, "commitP99us")) + " |");
        }
        line("");
        if (o.realThreads.contains(1)) {
            StringBuilder sb = new StringBuilder("At 1 thread, `commit()` p50:");
            for (RealAdapter a : shown) {
                sb.append(' ').append(a.label()).append(' ').append(ms(r.median(a.cell(), "real", 1, "commitP50us")))
                        .append(" ms;");
            }
            line(sb + " the slowest branch alone " + ms(slowestBranch()) + " ms; the three in sequence by hand "
                    + ms(r.median("branch-all-sequential", "real", 1, "commitP50us")) + " ms.");
            line("");
        }
    }

    /** Issue 15's targets 1 (TM only against the floor) and 2 (Lockstep's pools against TM only). */
    private void issue15Targets() {
        boolean tmOnly = o.runs(RealAdapter.LOCKSTEP_RAW) && o.runs(RealAdapter.FLOOR);
        boolean pooled = o.runs(RealAdapter.LOCKSTEP) && o.runs(RealAdapter.LOCKSTEP_RAW);
        boolean commit = o.runs(RealAdapter.LOCKSTEP) && o.runs(RealAdapter.BRANCHES) && o.realThreads.contains(1);
        if (!tmOnly && !pooled && !commit) {
            return;
        }
        line("The targets of issue 15 on real resources, judged on the medians of this run:");
        line("");
        line("| target | measured | met |");
        line("|---|---|---|");
        if (tmOnly && o.realThreads.contains(16)) {
            double x = ratio(RAW, FLOOR, "real", 16);
            target("1. TM only, 16 threads: Lockstep ≥ 0.95× the floor's tx/s", times(x) + " ("
                    + tps(RAW, "real", 16) + " vs " + tps(FLOOR, "real", 16) + " tx/s)", x >= 0.95, Double.isNaN(x));
            double cpu = cpuRatio(RAW, FLOOR, 16);
            target("1. TM only, 16 threads: Lockstep ≤ 1.1× the floor's client CPU per transaction", times(cpu)
                    + " (" + num(r.median(RAW, "real", 16, "cpuUsPerTx")) + " vs "
                    + num(r.median(FLOOR, "real", 16, "cpuUsPerTx")) + " µs)", cpu <= 1.1, Double.isNaN(cpu));
        }
        if (tmOnly && o.realThreads.contains(1)) {
            double x = ratio(RAW, FLOOR, "real", 1);
            target("1. TM only, 1 thread: Lockstep ≥ 1.1× the floor's tx/s", times(x) + " (" + tps(RAW, "real", 1)
                    + " vs " + tps(FLOOR, "real", 1) + " tx/s)", x >= 1.1, Double.isNaN(x));
        }
        if (pooled) {
            for (int t : o.realThreads) {
                if (t == 1 || t == 4 || t == 16) {
                    double x = ratio(POOLED, RAW, "real", t);
                    target("2. " + t + (t == 1 ? " thread" : " threads") + ": Lockstep with its pools ≥ 0.9× "
                            + "Lockstep TM only", times(x) + " (" + tps(POOLED, "real", t) + " vs "
                            + tps(RAW, "real", t) + " tx/s)", x >= 0.9, Double.isNaN(x));
                }
            }
        }
        if (commit) {
            double p50 = r.median(POOLED, "real", 1, "commitP50us");
            double sequential = r.median("branch-all-sequential", "real", 1, "commitP50us");
            target("2. 1 thread: Lockstep with its pools, commit() p50 ≤ 0.8× the three branches by hand in "
                    + "sequence", times(p50 / sequential) + " (" + ms(p50) + " vs " + ms(sequential) + " ms)",
                    p50 <= 0.8 * sequential, Double.isNaN(p50) || Double.isNaN(sequential));
        }
        line("");
    }

    // ---------------------------------------------------------------------------------------------------- rest

    private void configurations() {
        line("## Configurations");
        line("");
        line("As each trial JVM printed them (the raw results hold the same lines).");
        line("");
        for (Map.Entry<String, Map<String, String>> e : r.configs().entrySet()) {
            line("**" + e.getKey() + "**");
            line("");
            for (Map.Entry<String, String> c : e.getValue().entrySet()) {
                line("- " + c.getKey() + ": " + c.getValue());
            }
            line("");
        }
    }

    private void invalid() {
        List<Map<String, String>> cells = r.invalidCells();
        if (cells.isEmpty() && r.failures().isEmpty()) {
            line("Every cell of this run was valid.");
            return;
        }
        line("## Invalid cells");
        line("");
        line("These were excluded from the medians above (a cell whose every repeat was invalid shows \"invalid\"):");
        line("");
        for (Map<String, String> c : cells) {
            line("- " + c.get("adapter") + ", " + c.get("workload") + ", " + c.get("threads") + " thread(s), repeat "
                    + c.get("repeat") + ": " + c.get("problems"));
        }
        for (String f : r.failures()) {
            line("- " + f);
        }
    }

    /** A table's two header lines: {@code corner}, then "N thread(s)" and {@code columns} for each thread count. */
    private void threadColumns(String corner, List<Integer> threads, String columns, String rule) {
        StringBuilder head = new StringBuilder("| " + corner + " |");
        StringBuilder rules = new StringBuilder("|---|");
        for (int t : threads) {
            head.append(' ').append(t).append(t == 1 ? " thread" : " threads").append(columns);
            rules.append(rule);
        }
        line(head.toString());
        line(rules.toString());
    }

    private void table(String title, Map<String, String> rows) {
        line("## " + title);
        line("");
        line("| | |");
        line("|---|---|");
        rows.forEach((k, v) -> line("| " + k + " | " + v + " |"));
        line("");
    }

    /** The largest p50 of prepare + commit of one branch alone, by hand. */
    private double slowestBranch() {
        double slowest = Double.NaN;
        for (String b : List.of("branch-postgresql", "branch-mariadb", "branch-artemis")) {
            double v = r.median(b, "real", 1, "commitP50us");
            slowest = Double.isNaN(slowest) ? v : Math.max(slowest, v);
        }
        return slowest;
    }

    /** Client CPU per transaction of {@code a} ÷ that of {@code b}, real-resource workload. */
    private double cpuRatio(String a, String b, int threads) {
        return r.median(a, "real", threads, "cpuUsPerTx") / r.median(b, "real", threads, "cpuUsPerTx");
    }

    private double ratio(String a, String b, String workload, int threads) {
        return r.median(a, workload, threads, "tps") / r.median(b, workload, threads, "tps");
    }

    private String tps(String adapter, String workload, int threads) {
        if (!r.has(adapter, workload, threads)) {
            return "–";
        }
        double v = r.median(adapter, workload, threads, "tps");
        return Double.isNaN(v) ? "invalid" : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String times(double ratio) {
        if (Double.isNaN(ratio) || Double.isInfinite(ratio)) {
            return "n/a";
        }
        if (ratio >= 0.1 || ratio == 0) {
            return String.format(Locale.ROOT, "%.2f×", ratio);
        }
        // Two significant digits for the small ratios (e.g. to the XA calls by hand), never a bare 0.00×.
        return new java.math.BigDecimal(ratio).round(new java.math.MathContext(2)).toPlainString() + "×";
    }

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String ms(double micros) {
        return Double.isNaN(micros) ? "n/a" : String.format(Locale.ROOT, "%.2f", micros / 1000);
    }

    private static String minutes(Duration d) {
        return d.toMinutes() + " min " + d.toSecondsPart() + " s";
    }

    private void line(String s) {
        md.append(s).append('\n');
    }
}
