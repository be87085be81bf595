package dev.lockstep.demo;

import static dev.lockstep.demo.Timeline.n;
import static dev.lockstep.demo.Timeline.secs;

import dev.lockstep.demo.transfer.Checker;
import dev.lockstep.demo.transfer.ChildJvm;
import dev.lockstep.demo.transfer.Endpoints;
import dev.lockstep.demo.transfer.LogfmtReader;
import dev.lockstep.demo.transfer.RecoveryServiceProcess;
import dev.lockstep.demo.transfer.TransferApp;
import dev.lockstep.demo.transfer.TransferTables;
import dev.lockstep.demo.transfer.Workload;
import dev.lockstep.demo.transfer.XaBranches;
import dev.lockstep.testkit.servers.ManagedServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.tm.spi.CrashPoint;
import dev.lockstep.tm.spi.LockstepXids;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The project's main job in one command ({@code bash scripts/demo.sh}, README): concurrent transfers across
 * PostgreSQL, MariaDB and Artemis with {@code UserTransaction}, a {@code kill -9} of the application in the middle of
 * phase two, the recovery service, and a report. Built from the crash suite's pieces ({@link TransferApp},
 * {@link ChildJvm}, {@link RecoveryServiceProcess}, {@link Checker}).
 *
 * <ol>
 * <li>Servers: private PostgreSQL, MariaDB and Artemis from the test harness ({@link Servers}), or the ones given by
 * URL; accounts opened for a fresh run id.</li>
 * <li>The application, a child JVM: {@code threads} threads of transfers, each one {@code UserTransaction} (debit in
 * PostgreSQL, credit in MariaDB, an event to Artemis). Once {@code transfers} committed, the first transfer that
 * reaches C5 (PostgreSQL committed, MariaDB and Artemis still prepared) stays there and the application says so.</li>
 * <li>{@code kill -9} of the application from here ({@link ChildJvm#kill9()}); the branches it left in doubt, as
 * each server's {@code XA RECOVER} lists them.</li>
 * <li>The recovery service jar, {@code scan}, as its own process; its actions. With {@code --console}, its daemon
 * ({@code run}) with the web console instead, started beside the application, recovering by itself after the kill
 * and kept running after the report until the JVM is stopped.</li>
 * <li>Every resource read with plain clients ({@link Checker}) and the report ({@link DemoReport}).</li>
 * </ol>
 *
 * Exit code: 0 every check passed, 1 a check failed, 2 the demo could not run (bad argument, a server that does
 * not start, ...). The run's files (the application's output, its decision log, the service's configuration and
 * output) stay under {@code target/demo/<run>/}.
 */
public final class Demo {

    static final int PASSED = 0;
    static final int CHECK_FAILED = 1;
    static final int CANNOT_RUN = 2;

    /** How long the application may take to reach the pause. */
    private static final Duration LOAD_LIMIT = Duration.ofSeconds(120);
    private static final int MAX_ACTION_LINES = 16;

    private final DemoOptions options;
    private final Timeline t;
    private final boolean stopPrivateServers;
    private final List<ManagedServer> privateServers = new ArrayList<>();
    private final Path root = repositoryRoot();

    private Demo(DemoOptions options, Timeline t, boolean stopPrivateServers) {
        this.options = options;
        this.t = t;
        this.stopPrivateServers = stopPrivateServers;
    }

    /**
     * {@code scripts/demo.sh} runs this in {@code demo/} on this module's runtime class path and passes the
     * time it started in {@code -Dlockstep.demo.t0} (epoch ms), so the times include its build.
     */
    public static void main(String[] args) {
        long t0 = Long.getLong("lockstep.demo.t0", System.currentTimeMillis());
        int code = run(args, System.out, t0, System.console() != null, true);
        System.out.flush();
        System.exit(code);
    }

    /**
     * Runs the demo and returns its exit code.
     *
     * @param stopPrivateServers stop the private servers at the end (a test JVM shares them with other tests)
     */
    static int run(String[] args, PrintStream out, long t0Millis, boolean terminal, boolean stopPrivateServers) {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            return CANNOT_RUN;
        }
        if (options.help()) {
            out.println(DemoOptions.USAGE);
            return PASSED;
        }
        Demo demo = new Demo(options, new Timeline(out, t0Millis, terminal), stopPrivateServers);
        try {
            return demo.run();
        } catch (Exception | AssertionError e) {
            demo.t.step("the demo could not finish: " + firstLines(e, 12));
            return CANNOT_RUN;
        } finally {
            demo.stopServers();
        }
    }

    private int run() throws Exception {
        t.plain("Lockstep demo: transfers across PostgreSQL, MariaDB and Artemis, each in one UserTransaction;");
        t.plain("kill -9 of the application in the middle of phase two; the recovery service; then every resource "
                + "is checked.");
        t.plain("");

        // 1. Servers and accounts.
        Endpoints e = servers();
        String run = "demo-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0x1000000));
        Path runDir = Path.of("target", "demo", run).toAbsolutePath();
        Path logDir = runDir.resolve("log");
        Files.createDirectories(runDir);
        TransferTables.openAccounts(e, run, Workload.ACCOUNTS, Workload.INITIAL);
        t.step("opened " + Workload.ACCOUNTS + " accounts of " + n(Workload.INITIAL) + " in each database for run "
                + run);

        // 2. The application, until one transfer stands in phase two.
        TransferApp.Options appOptions = TransferApp.Options.load(run, logDir, e, options.threads(), 0)
                .pausingAt(CrashPoint.C5_SOME_COMMITTED, options.transfers());
        Map<String, String> paused;
        long seen;
        RecoveryServiceProcess service = new RecoveryServiceProcess(runDir.resolve("service"), logDir, List.of(run),
                e);
        RecoveryServiceProcess.Daemon daemon = null;
        int outputBeforeKill = 0;
        try (ChildJvm app = ChildJvm.start(TransferApp.class, appOptions.toArgs(), runDir.resolve("app.out"))) {
            t.step("application started (pid " + app.pid() + "), " + options.threads() + " threads; a transfer is "
                    + "one UserTransaction:");
            t.detail("debit an account in PostgreSQL, credit one in MariaDB, send an event to Artemis");
            if (options.consolePort() != 0) {
                daemon = startConsole(service);
            }
            paused = awaitPause(app);
            t.step("transfer " + paused.get("id") + " (tx " + paused.get("tx") + ") is in phase two: committed in "
                    + "orders-pg, prepared in billing-maria and events");
            if (daemon != null) {
                outputBeforeKill = daemon.stdout().length();
            }
            int exit = app.kill9();
            t.step("kill -9 " + app.pid() + "   (the application; exit " + exit
                    + (exit == ChildJvm.SIGKILL_EXIT ? " = 128 + SIGKILL)" : ")"));
            seen = Math.max(TransferApp.lastCommitted(app.output()),
                    Long.parseLong(paused.getOrDefault("committed", "0")));
        }
        String pausedId = paused.get("id");
        String pausedTx = paused.get("tx");
        showInDoubt(e, run, pausedTx);

        // 3. The recovery service.
        if (daemon != null) {
            return watchedRecovery(e, run, daemon, outputBeforeKill, pausedId, pausedTx, seen, runDir);
        }
        Path config = service.writeConfig();
        t.step("recovery service, as an operator runs it:");
        t.detail("java -jar " + shown(RecoveryServiceProcess.jar()) + " scan -c " + shown(config));
        RecoveryServiceProcess.Result scan = service.run(Duration.ofSeconds(90), "scan");
        showActions(scan, pausedTx, runDir);
        for (int again = 1; again <= 2 && scan.exitCode() == RecoveryServiceProcess.IN_DOUBT; again++) {
            // Exit 1: a branch must be tried at the next scan (e.g. MariaDB still holds the dead session's branch);
            // the daemon would scan again after its interval, an operator runs scan again.
            t.step("exit 1 after " + secs(scan.millis()) + ": something is left for the next scan; scan again");
            Thread.sleep(1_000);
            scan = service.run(Duration.ofSeconds(90), "scan");
            showActions(scan, pausedTx, runDir);
        }
        t.step("recovery finished in " + secs(scan.millis()) + " (the scan itself " + secs(scan.scanMillis())
                + ", the rest is JVM start), exit " + scan.exitCode()
                + (scan.exitCode() == RecoveryServiceProcess.OK ? ": nothing left in doubt" : ""));

        // 4. Check everything from outside, then the report.
        return report(e, run, pausedId, seen, scan.exitCode(), runDir, true);
    }

    /**
     * Reads every resource with plain clients and prints the report; returns the exit code.
     *
     * @param stopAfterCheck stop the private servers once they are read (not while the console keeps running)
     */
    private int report(Endpoints e, String run, String pausedId, long seen, int serviceExit, Path runDir,
            boolean stopAfterCheck) throws Exception {
        t.step("checking every resource with plain JDBC and JMS clients");
        Checker.Report reading = Checker.forRun(e, run, true).check();
        DemoReport report = new DemoReport(reading, pausedId, seen, serviceExit);
        if (stopAfterCheck) {
            stopServers();
        }
        t.plain("");
        t.plain("Report");
        for (DemoReport.CheckResult c : report.checks()) {
            t.plain(String.format(Locale.ROOT, "  %-30s %s%s", c.label(), c.text(), c.ok() ? "" : "   <- FAILED"));
        }
        t.plain(String.format(Locale.ROOT, "  %-30s %.1f s%s", "time", t.seconds(),
                Long.getLong("lockstep.demo.t0") != null ? ", build included" : ""));
        t.plain("");
        if (report.ok()) {
            t.plain("PASSED. Files of this run: " + shown(runDir));
            return PASSED;
        }
        t.plain("FAILED: " + String.join(", ", report.checks().stream().filter(c -> !c.ok())
                .map(DemoReport.CheckResult::label).toList()));
        reading.problems().forEach(p -> t.plain("  - " + p));
        t.plain("Files of this run: " + shown(runDir) + " (app.out, log/, service/)");
        return CHECK_FAILED;
    }

    // ------------------------------------------------------------------------------------------------ --console

    /**
     * Starts the recovery service's daemon with its web console on the loopback port of {@code --console}, beside the
     * running application, and says where to look. The orphan safety interval is long, so that the daemon leaves the
     * live application's transactions to it (the demo's pause in phase two may last longer than the default).
     */
    private RecoveryServiceProcess.Daemon startConsole(RecoveryServiceProcess service) throws Exception {
        service.set("http.address", "127.0.0.1").set("http.port", Integer.toString(options.consolePort()))
                .set("orphan.safety.interval", "10m");
        Path config = service.writeConfig();
        RecoveryServiceProcess.Daemon daemon = service.startDaemon();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                daemon.close();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            stopServers();
        }, "demo-console-stop"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!daemon.stdout().contains("event=http_started") && daemon.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (!daemon.isAlive() || !daemon.stdout().contains("event=http_started")) {
            throw new IllegalStateException("the recovery service's console did not start on 127.0.0.1:"
                    + options.consolePort() + " (is the port taken? --console=PORT picks another); its output:\n"
                    + daemon.stdout());
        }
        t.step("recovery service started as a daemon, with its web console: open http://127.0.0.1:"
                + options.consolePort() + "/ now");
        t.detail("java -jar " + shown(RecoveryServiceProcess.jar()) + " run -c " + shown(config));
        t.detail("the page shows the live node, then the kill, then each branch as the daemon finishes it");
        return daemon;
    }

    /**
     * After the kill with {@code --console}: the daemon recovers by itself at its next scans; waits for a scan after
     * the kill that leaves nothing in doubt, shows its actions, checks and reports, then keeps the daemon and the
     * servers running until Ctrl-C.
     */
    private int watchedRecovery(Endpoints e, String run, RecoveryServiceProcess.Daemon daemon, int outputBeforeKill,
            String pausedId, String pausedTx, long seen, Path runDir) throws Exception {
        t.step("the recovery service's daemon recovers by itself (it scans every second); watch the console");
        long begin = System.nanoTime();
        long deadline = begin + Duration.ofSeconds(90).toNanos();
        boolean clean = false;
        while (!clean && daemon.isAlive() && System.nanoTime() < deadline) {
            List<Map<String, String>> scans = daemon.since(outputBeforeKill).events("scan_done");
            clean = !scans.isEmpty() && "true".equals(scans.get(scans.size() - 1).get("clean"));
            if (!clean) {
                Thread.sleep(200);
            }
        }
        showActions(daemon.since(outputBeforeKill), pausedTx, runDir);
        t.step(clean ? "recovered " + secs((System.nanoTime() - begin) / 1_000_000) + " after the kill: nothing left "
                + "in doubt" : "the daemon left something in doubt after 90 s: see the console and "
                + shown(runDir.resolve("service")));
        int code = report(e, run, pausedId, seen, clean ? RecoveryServiceProcess.OK : RecoveryServiceProcess.IN_DOUBT,
                runDir, false);
        t.plain("The recovery service and its console keep running at http://127.0.0.1:" + options.consolePort()
                + "/ with the servers; Ctrl-C stops them all.");
        while (daemon.isAlive()) {
            Thread.sleep(1_000);
        }
        t.plain("the recovery service stopped; its output is in " + shown(runDir.resolve("service")));
        return code;
    }

    /** Starts the private servers (or takes the given URLs) and prints one line each. */
    private Endpoints servers() {
        t.step("servers");
        String pg = server("orders-pg", "PostgreSQL", options.pgUrl(), Servers::postgres, s -> s.jdbcUrl());
        String maria = server("billing-maria", "MariaDB", options.mariaUrl(), Servers::mariadb, s -> s.jdbcUrl());
        String broker = server("events", "Artemis", options.brokerUrl(), Servers::artemis, s -> s.brokerUrl());
        return new Endpoints(pg, maria, broker,
                options.pgUrl() == null ? Endpoints.HARNESS_DB : options.pgLogin(),
                options.mariaUrl() == null ? Endpoints.HARNESS_DB : options.mariaLogin(),
                options.brokerUrl() == null ? Endpoints.Login.NONE : options.brokerLogin());
    }

    private <S extends ManagedServer> String server(String resource, String kind, String given, Supplier<S> harness,
            Function<S, String> url) {
        if (given != null) {
            t.detail(String.format(Locale.ROOT, "%-14s %-11s %-44s given", resource, kind, given));
            return given;
        }
        long begin = System.nanoTime();
        S s = quietly(harness);
        privateServers.add(s);
        t.detail(String.format(Locale.ROOT, "%-14s %-11s %-44s private, ready in %s", resource, kind, url.apply(s),
                secs((System.nanoTime() - begin) / 1_000_000)));
        return url.apply(s);
    }

    /** Polls the application's output until it reports the paused transfer; prints the committed count meanwhile. */
    private Map<String, String> awaitPause(ChildJvm app) throws InterruptedException {
        long deadline = System.nanoTime() + LOAD_LIMIT.toNanos();
        long lastPrint = 0;
        long loadStart = 0;
        while (true) {
            String output = app.output();
            long committed = -1;
            for (String line : output.lines().toList()) {
                if (line.startsWith(TransferApp.PAUSED + " ")) {
                    t.progress(String.format(Locale.ROOT, "  %7s transfers committed",
                            n(TransferApp.lastCommitted(output))));
                    return LogfmtReader.parse(line.substring(TransferApp.PAUSED.length() + 1));
                }
                if (line.startsWith(TransferApp.STARTED) && loadStart == 0) {
                    loadStart = System.nanoTime();
                }
            }
            committed = TransferApp.lastCommitted(output);
            if (!app.isAlive()) {
                throw new IllegalStateException("the application exited with " + app.exitValue()
                        + " before a transfer reached phase two; its output ends with:\n" + app.tail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no transfer reached phase two within " + LOAD_LIMIT.toSeconds()
                        + " s; the application's output ends with:\n" + app.tail());
            }
            long now = System.nanoTime();
            if (committed > 0 && now - lastPrint >= 1_000_000_000L) {
                lastPrint = now;
                double secs = (now - loadStart) / 1e9;
                t.progress(String.format(Locale.ROOT, "  %7s transfers committed%s", n(committed),
                        loadStart != 0 && secs >= 1 ? String.format(Locale.ROOT, " (%.0f/s)", committed / secs) : ""));
            }
            Thread.sleep(50);
        }
    }


    /** What the kill left, as the servers list it: one line per transaction with its branches. */
    private void showInDoubt(Endpoints e, String run, String pausedTx) throws Exception {
        List<XaBranches.InDoubtBranch> branches = XaBranches.list(e, Set.of(run)::contains);
        Map<String, List<String>> byTx = new LinkedHashMap<>();
        if (pausedTx != null) {
            byTx.put(pausedTx, new ArrayList<>());
        }
        for (XaBranches.InDoubtBranch b : branches) {
            String tx = LockstepXids.parseGlobalId(b.xid().getGlobalTransactionId())
                    .map(LockstepXids.GlobalId::shortId).orElse(b.gtridHex());
            byTx.computeIfAbsent(tx, k -> new ArrayList<>()).add(resource(b.server()));
        }
        byTx.values().removeIf(List::isEmpty);
        t.step("left in doubt, as each server's XA recover() lists it: " + branches.size() + " branch(es) of "
                + byTx.size() + " transaction(s)");
        int shown = 0;
        for (var entry : byTx.entrySet()) {
            if (++shown > MAX_ACTION_LINES) {
                t.detail("... and " + (byTx.size() - MAX_ACTION_LINES) + " more");
                break;
            }
            t.detail(String.format(Locale.ROOT, "%-20s prepared in %-25s%s", entry.getKey(),
                    String.join(", ", entry.getValue()),
                    entry.getKey().equals(pausedTx) ? "<- the transfer in phase two" : "").stripTrailing());
        }
    }

    /** The service's actions, one short line each; the full lines are in its output file. */
    private void showActions(RecoveryServiceProcess.Result scan, String pausedTx, Path runDir) {
        int shown = 0;
        int total = 0;
        for (Map<String, String> ev : scan.allEvents()) {
            String event = ev.get("event");
            boolean error = "error".equals(ev.get("level"));
            if (!error && !List.of("take_over", "commit", "rollback", "end", "retire", "heuristic", "in_doubt")
                    .contains(event)) {
                continue;
            }
            total++;
            if (shown >= MAX_ACTION_LINES) {
                continue;
            }
            shown++;
            String tx = ev.get("gtrid") == null ? null : describe(ev.get("gtrid"));
            String line = switch (event) {
                case "take_over", "retire" -> String.format(Locale.ROOT, "%-9s %s", event, ev.get("detail"));
                case "end" -> String.format(Locale.ROOT, "%-9s %-20s %s", event, tx, ev.get("detail"));
                default -> String.format(Locale.ROOT, "%-9s %-20s %-14s %s", event, tx != null ? tx : "",
                        ev.getOrDefault("resource", ""),
                        "true".equals(ev.get("ok")) ? "" : ev.getOrDefault("detail", ""));
            };
            if (pausedTx != null && pausedTx.equals(tx) && !"end".equals(event)) {
                line = String.format(Locale.ROOT, "%-46s<- the transfer in phase two", line.stripTrailing() + " ");
            }
            t.detail(line.stripTrailing());
        }
        if (total > shown) {
            t.detail("... and " + (total - shown) + " more, see " + shown(runDir.resolve("service")));
        }
    }

    /** {@code node:incarnation:sequence} of the service's {@code gtrid=} hex, as the application names it. */
    private static String describe(String gtridHex) {
        try {
            return LockstepXids.parseGlobalId(HexFormat.of().parseHex(gtridHex))
                    .map(LockstepXids.GlobalId::shortId).orElse(gtridHex);
        } catch (IllegalArgumentException e) {
            return gtridHex;
        }
    }

    /** The resource name (as the application and the service call it) of an XaBranches server. */
    private static String resource(String server) {
        return switch (server) {
            case "postgresql" -> Endpoints.PG_RESOURCE;
            case "mariadb" -> Endpoints.MARIA_RESOURCE;
            case "artemis" -> Endpoints.JMS_RESOURCE;
            default -> server;
        };
    }

    /** Stops the private servers this demo started, if it owns them; once. */
    private void stopServers() {
        if (!stopPrivateServers || privateServers.isEmpty()) {
            return;
        }
        quietly(() -> {
            List<Thread> stoppers = new ArrayList<>();
            for (ManagedServer s : privateServers) {
                Thread stopper = new Thread(s::stop, "stop-" + s); // in parallel: each takes a few hundred ms
                stopper.start();
                stoppers.add(stopper);
            }
            for (Thread stopper : stoppers) {
                try {
                    stopper.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return null;
        });
        privateServers.clear();
        t.step("stopped the private servers");
    }

    /**
     * Runs {@code action} with standard output muted: the harness prints a line per server start for test logs,
     * which the demo replaces with its own.
     */
    private static synchronized <T> T quietly(Supplier<T> action) {
        PrintStream saved = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            return action.get();
        } finally {
            System.setOut(saved);
        }
    }

    /** {@code path} relative to the repository's root when it is inside, for short lines. */
    private String shown(Path path) {
        Path p = path.toAbsolutePath().normalize();
        return root != null && p.startsWith(root) ? root.relativize(p).toString() : p.toString();
    }

    /** The checkout's root: the nearest directory up from here with {@code scripts/demo.sh}; null if none. */
    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts/demo.sh"))) {
                return p;
            }
        }
        return null;
    }

    private static String firstLines(Throwable e, int max) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        List<String> lines = m.lines().toList();
        return lines.size() <= max ? m : String.join("\n", lines.subList(0, max)) + "\n...";
    }
}
