package dev.lockstep.it.crash;

import dev.lockstep.demo.transfer.Checker;
import dev.lockstep.demo.transfer.ChildJvm;
import dev.lockstep.demo.transfer.Endpoints;
import dev.lockstep.demo.transfer.RecoveryServiceProcess;
import dev.lockstep.demo.transfer.TransferApp;
import dev.lockstep.demo.transfer.TransferTables;
import dev.lockstep.demo.transfer.Workload;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.spi.CrashPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * One run of the transfer workload: a fresh node id (also the run id of its rows and messages), its directory
 * {@code target/crash/<node>} with the log under {@code log/} (or its decisions in a schema of the PostgreSQL server,
 * {@link Store}), its accounts opened, and the pieces to crash it, recover it and check it.
 */
final class TransferRun {

    final String node;
    final Path dir;
    final Path logDir;
    /** Every server: checked, cleaned and configured in the recovery service. */
    final Endpoints all;
    /** The servers the app uses: without the broker for a two-resource run. */
    final Endpoints app;
    /** Where the app and the recovery service keep the decisions: null for the file log under {@link #logDir}. */
    final Store store;

    /**
     * Decisions in the PostgreSQL server's {@code schema} (docs/cluster.md) instead of the log directory, a lease of
     * {@code lease}, and in-process recovery of every node of the store every {@code recoveryInterval}.
     */
    record Store(String schema, Duration lease, Duration recoveryInterval) {
    }

    private TransferRun(String node, Path dir, Endpoints all, Endpoints app, Store store) {
        this.node = node;
        this.dir = dir;
        this.logDir = dir.resolve("log");
        this.all = all;
        this.app = app;
        this.store = store;
    }

    /** A new run named {@code crash-<what>-<hex>} with its accounts opened; {@code resources} is 2 or 3. */
    static TransferRun open(String what, Endpoints all, int resources) throws Exception {
        return open(what, all, resources, null);
    }

    /** The same, with the decisions in {@code store} (null: the file log). */
    static TransferRun open(String what, Endpoints all, int resources, Store store) throws Exception {
        if (resources != 2 && resources != 3) {
            throw new IllegalArgumentException("2 (PostgreSQL, MariaDB) or 3 (and Artemis) resources, not "
                    + resources);
        }
        String node = CrashRuns.nodeId(what);
        TransferRun run = new TransferRun(node, CrashRuns.runDir(node), all,
                resources == 3 ? all : all.withoutBroker(), store);
        TransferTables.openAccounts(all, node, Workload.ACCOUNTS, Workload.INITIAL);
        return run;
    }

    int resources() {
        return app.resourceCount();
    }

    /** The id of the transfer that crash mode halts in. */
    String crashedTransfer() {
        return node + "-crash";
    }

    /** The id of the {@code n}-th transfer committed before it. */
    String transferBefore(int n) {
        return node + "-0-" + n;
    }

    /** Starts the app in crash mode. */
    ChildJvm crash(CrashPoint point, int before) throws IOException {
        return start(TransferApp.Options.crash(node, logDir, app, point, before), "app.out");
    }

    /** Starts the app in load mode (until killed when {@code limit} is 0). */
    ChildJvm load(int threads, long limit) throws IOException {
        return start(TransferApp.Options.load(node, logDir, app, threads, limit), "app.out");
    }

    /**
     * Starts the app in load mode on one thread, pausing for good the first transfer that reaches {@code point} once
     * {@code after} transfers committed (the JVM is then killed from outside).
     */
    ChildJvm pause(CrashPoint point, long after) throws IOException {
        return start(TransferApp.Options.load(node, logDir, app, 1, 0).pausingAt(point, after), "app.out");
    }

    /**
     * Starts the node again after a crash, in recover mode: a new incarnation in the store whose in-process recovery
     * finishes the dead incarnation's transactions once its lease expired. Only for a run in the store.
     */
    ChildJvm restart() throws IOException {
        if (store == null) {
            throw new IllegalStateException("a restarted node recovers in process only with the database store");
        }
        return start(TransferApp.Options.recover(node, logDir, app), "restarted.out");
    }

    private ChildJvm start(TransferApp.Options options, String output) throws IOException {
        TransferApp.Options o = store == null ? options
                : options.inStore(store.schema(), store.lease(), store.recoveryInterval());
        return ChildJvm.start(TransferApp.class, o.toArgs(), dir.resolve(output));
    }

    Checker checker() {
        return Checker.forRun(all, node, resources() == 3);
    }

    /**
     * The recovery service configured for this run's node and every server; with the store, for every node of the
     * store ({@code nodes = *}, {@code decision.store.*}) instead of the log directory.
     */
    RecoveryServiceProcess recovery() {
        RecoveryServiceProcess service = new RecoveryServiceProcess(dir.resolve("service"), logDir, List.of(node), all);
        if (store != null) {
            service.set("log.directory", null).set("nodes", "*").set("decision.store.url", all.pgUrl())
                    .set("decision.store.user", all.pgLogin().user())
                    .set("decision.store.password", all.pgLogin().password())
                    .set("decision.store.schema", store.schema());
        }
        return service;
    }

    /** The node's log directory, {@code <logDir>/<node>}. */
    Path nodeLogDir() {
        return LogLayout.nodeDirectory(logDir, node);
    }

    /** The segment of {@code incarnation} numbered {@code segment}. */
    Path segment(long incarnation, long segment) {
        return nodeLogDir().resolve(LogLayout.segmentFileName(incarnation, segment));
    }

    /** The files (segments and lock file) of {@code incarnation} still in the node's log directory. */
    List<Path> incarnationFiles(long incarnation) throws IOException {
        if (!Files.isDirectory(nodeLogDir())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(nodeLogDir())) {
            return s.filter(p -> LogLayout.incarnationOf(p).orElse(-1) == incarnation)
                    .map(Path::getFileName).sorted().toList();
        }
    }
}
