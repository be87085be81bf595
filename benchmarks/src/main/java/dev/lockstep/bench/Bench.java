package dev.lockstep.bench;

import dev.lockstep.bench.micro.Adapter;
import dev.lockstep.bench.micro.Workload;
import dev.lockstep.bench.real.RealAdapter;
import dev.lockstep.bench.real.RealServers;
import dev.lockstep.bench.real.RealTrial;
import dev.lockstep.bench.trial.MicroTrial;
import dev.lockstep.testkit.servers.ArtemisBroker;
import dev.lockstep.testkit.servers.MariaDbServer;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The harness (issue 5, docs/design.md section 6): Lockstep measured against Narayana and Atomikos, the ceilings and
 * the
 * XA calls by hand, in one run on one machine, each trial in its own JVM, peers interleaved (A B A B ...) and
 * repeated; then the real-resource workload on the test harness's private servers; then docs/performance.md and
 * its charts. Exit 0 when every cell was valid, 1 when a trial was invalid or failed (the report says which), 2 on
 * a bad option.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.print(BenchOptions.USAGE);
            return;
        }
        Results results = run(options);
        System.exit(results.anyInvalid() ? 1 : 0);
    }

    /** Runs everything the options ask for, writes the report, and returns the results. */
    static Results run(BenchOptions o) throws Exception {
        long t0 = System.nanoTime();
        Instant started = Instant.now();
        Path work = o.work.toAbsolutePath().normalize();
        Path runDir = work.resolve("run-" + started.toString().replace(':', '-').replaceAll("\\..*", ""));
        Files.createDirectories(runDir);
        Results results = new Results();
        say("Lockstep benchmarks, " + o.describe() + "; trial logs and raw results in " + runDir);
        if (o.micro) {
            micro(o, runDir, results);
        }
        if (o.real) {
            real(o, runDir, results);
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - t0);
        Report.write(o, results, started, wall, runDir);
        List<String> invalid = results.invalidCells().stream().map(c -> c.get("adapter") + " " + c.get("workload")
                + " " + c.get("threads") + " threads (repeat " + c.get("repeat") + "): " + c.get("problems"))
                .collect(Collectors.toList());
        invalid.addAll(results.failures());
        say("report: " + o.out.resolve(Report.FILE) + " (" + wall.toSeconds() + " s so far)");
        if (!invalid.isEmpty()) {
            say("INVALID: " + invalid.size() + " cell(s) or check(s) failed; they are marked in the report:");
            invalid.forEach(s -> System.out.println("  " + s));
        }
        return results;
    }

    private static void micro(BenchOptions o, Path runDir, Results results) throws Exception {
        // Each trial: one adapter and the workloads it runs in one JVM (normally a single workload).
        List<List<Workload>> groups = new ArrayList<>();
        if (o.jvmPerAdapter) {
            groups.add(o.workloads);
        } else {
            o.workloads.forEach(w -> groups.add(List.of(w)));
        }
        int trials = 0;
        long cells = 0;
        for (List<Workload> group : groups) {
            for (Adapter a : o.adapters) {
                long n = group.stream().filter(w -> o.runs(a, w)).count();
                trials += n > 0 ? 1 : 0;
                cells += n;
            }
        }
        long perCell = (long) o.threads.size() * (o.window.toMillis() + o.warmup.toMillis());
        List<String> pgArgs = List.of();
        if (o.adapters.stream().anyMatch(a -> a.needsPostgres() && o.workloads.stream().anyMatch(w -> o.runs(a, w)))) {
            say("decisions in a database: starting the test harness's private PostgreSQL server ...");
            PostgresServer pg = Servers.postgres();
            pgArgs = List.of("--pg-url=" + pg.jdbcUrl(), "--pg-user=" + PostgresServer.USER,
                    "--pg-password=" + PostgresServer.PASSWORD);
            results.fact("PostgreSQL server", new RealServers(pg.jdbcUrl(), null, null, PostgresServer.USER,
                    PostgresServer.PASSWORD).serverVersion(pg.jdbcUrl(), "SHOW server_version")
                    + ", private instance of the test harness, fsync on");
        }
        say("in-memory workloads: " + trials * o.repeats + " trial JVMs, about "
                + Duration.ofMillis((perCell * cells + 2000L * trials) * o.repeats).toSeconds() + " s");
        for (int repeat = 1; repeat <= o.repeats; repeat++) {
            for (List<Workload> group : groups) {
                for (Adapter a : o.adapters) {
                    List<Workload> mine = group.stream().filter(w -> o.runs(a, w)).collect(Collectors.toList());
                    if (mine.isEmpty()) {
                        continue;
                    }
                    String ids = mine.stream().map(Workload::id).collect(Collectors.joining(","));
                    String name = repeat + "-" + ids.replace(',', '+') + "-" + a.id();
                    Path out = runDir.resolve("micro").resolve(name + ".out");
                    Path dir = runDir.resolve("micro").resolve(name);
                    List<String> args = new ArrayList<>(List.of("--adapter=" + a.id(), "--workloads=" + ids,
                            "--threads=" + join(o.threads), "--first-warmup-ms=" + o.firstWarmup.toMillis(),
                            "--warmup-ms=" + o.warmup.toMillis(), "--window-ms=" + o.window.toMillis(),
                            "--dir=" + dir, "--out=" + out));
                    if (a.needsPostgres()) {
                        args.addAll(pgArgs);
                    }
                    results.sampleLoad();
                    String why = TrialLauncher.run(MicroTrial.class, args, runDir.resolve("micro")
                            .resolve(name + ".log"), Duration.ofMillis(perCell * mine.size()
                            + o.firstWarmup.toMillis() + 90_000), o);
                    results.read(out, repeat);
                    for (Workload w : mine) {
                        if (why != null) {
                            results.trialFailed(a.id(), w.id(), o.threads, repeat, why);
                        }
                        say(String.format("repeat %d/%d  %-3s  %-17s %s", repeat, o.repeats, w.id(), a.id(),
                                summary(results, a.id(), w.id(), o.threads, repeat)));
                    }
                    deleteTree(dir); // the logs of one trial must not fill the disk of the next
                }
            }
        }
    }

    private static void real(BenchOptions o, Path runDir, Results results) throws Exception {
        say("real resources: starting the test harness's private PostgreSQL, MariaDB and Artemis servers ...");
        PostgresServer pg = Servers.postgres();
        MariaDbServer maria = Servers.mariadb();
        ArtemisBroker artemis = Servers.artemis();
        RealServers servers = new RealServers(pg.jdbcUrl(), maria.jdbcUrl(), artemis.brokerUrl(),
                PostgresServer.USER, PostgresServer.PASSWORD);
        servers.createTables();
        results.fact("PostgreSQL server", servers.serverVersion(pg.jdbcUrl(), "SHOW server_version")
                + ", private instance of the test harness, fsync on");
        results.fact("MariaDB server", servers.serverVersion(maria.jdbcUrl(), "SELECT version()")
                + ", private instance of the test harness");
        results.fact("Artemis broker", "the harness's broker JVM (ArtemisBrokerMain: NIO journal, "
                + "journalBufferTimeout 100 µs, persistent)");
        long perTrial = o.firstWarmup.toMillis() + (long) o.realThreads.size() * o.realWindow.toMillis()
                + (o.realThreads.size() - 1L) * o.warmup.toMillis() + 5000;
        for (int repeat = 1; repeat <= o.repeats; repeat++) {
            for (RealAdapter adapter : o.realAdapters) {
                String name = repeat + "-real-" + adapter.id();
                Path out = runDir.resolve("real").resolve(name + ".out");
                List<String> args = new ArrayList<>(List.of("--adapter=" + adapter.id(),
                        "--pg-url=" + servers.pgUrl(), "--maria-url=" + servers.mariaUrl(),
                        "--broker-url=" + servers.brokerUrl(), "--user=" + servers.user(),
                        "--password=" + servers.password(), "--pool-size=" + o.poolSize,
                        "--threads=" + join(o.realThreads), "--first-warmup-ms=" + o.firstWarmup.toMillis(),
                        "--warmup-ms=" + o.warmup.toMillis(), "--window-ms=" + o.realWindow.toMillis(),
                        "--dir=" + runDir.resolve("real").resolve(name), "--out=" + out));
                results.sampleLoad();
                String why = TrialLauncher.run(RealTrial.class, args, runDir.resolve("real").resolve(name + ".log"),
                        Duration.ofMillis(perTrial * 3 + 120_000), o);
                results.read(out, repeat);
                boolean branches = adapter == RealAdapter.BRANCHES;
                if (why != null) {
                    if (branches) {
                        for (String b : List.of("branch-postgresql", "branch-mariadb", "branch-artemis",
                                "branch-all-sequential")) {
                            results.trialFailed(b, "real", List.of(1), repeat, why);
                        }
                    } else {
                        results.trialFailed(adapter.cell(), "real", o.realThreads, repeat, why);
                    }
                }
                String shown = branches ? "branch-postgresql" : adapter.cell();
                List<Integer> threads = branches ? List.of(1) : o.realThreads;
                say(String.format("repeat %d/%d  real %-17s %s", repeat, o.repeats, adapter.id(),
                        summary(results, shown, "real", threads, repeat)));
            }
        }
    }

    private static String summary(Results results, String adapter, String workload, List<Integer> threads,
            int repeat) {
        StringBuilder sb = new StringBuilder();
        for (int t : threads) {
            sb.append(String.format(" %d:", t));
            if (!results.has(adapter, workload, t)) {
                sb.append("missing");
            } else if (!results.valid(adapter, workload, t)) {
                sb.append("INVALID");
            } else {
                sb.append(String.format("%.0f", results.median(adapter, workload, t, "tps")));
            }
        }
        return sb.append(" tx/s (median so far)").toString();
    }

    private static String join(List<Integer> list) {
        return list.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    static void say(String line) {
        System.out.println("[bench] " + line);
        System.out.flush();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        }
    }
}
