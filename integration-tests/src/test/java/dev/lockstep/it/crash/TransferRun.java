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
 * {@code target/crash/<node>} with the log under {@code log/}, its accounts opened, and the pieces to crash it,
 * recover it and check it.
 */
final class TransferRun {

    final String node;
    final Path dir;
    final Path logDir;
    /** Every server: checked, cleaned and configured in the recovery service. */
    final Endpoints all;
    /** The servers the app uses: without the broker for a two-resource run. */
    final Endpoints app;

    private TransferRun(String node, Path dir, Endpoints all, Endpoints app) {
        this.node = node;
        this.dir = dir;
        this.logDir = dir.resolve("log");
        this.all = all;
        this.app = app;
    }

    /** A new run named {@code crash-<what>-<hex>} with its accounts opened; {@code resources} is 2 or 3. */
    static TransferRun open(String what, Endpoints all, int resources) throws Exception {
        if (resources != 2 && resources != 3) {
            throw new IllegalArgumentException("2 (PostgreSQL, MariaDB) or 3 (and Artemis) resources, not "
                    + resources);
        }
        String node = CrashRuns.nodeId(what);
        TransferRun run = new TransferRun(node, CrashRuns.runDir(node), all,
                resources == 3 ? all : all.withoutBroker());
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
        return ChildJvm.start(TransferApp.class,
                TransferApp.Options.crash(node, logDir, app, point, before).toArgs(), dir.resolve("app.out"));
    }

    /** Starts the app in load mode (until killed when {@code limit} is 0). */
    ChildJvm load(int threads, long limit) throws IOException {
        return ChildJvm.start(TransferApp.class,
                TransferApp.Options.load(node, logDir, app, threads, limit).toArgs(), dir.resolve("app.out"));
    }

    /**
     * Starts the app in load mode with its decisions in the PostgreSQL server's {@code schema}, a lease of
     * {@code lease} and in-process recovery of every node of the store every {@code recoveryInterval}.
     */
    ChildJvm loadInStore(int threads, String schema, Duration lease, Duration recoveryInterval) throws IOException {
        return ChildJvm.start(TransferApp.class, TransferApp.Options.load(node, logDir, app, threads, 0)
                .inStore(schema, lease, recoveryInterval).toArgs(), dir.resolve("app.out"));
    }

    Checker checker() {
        return Checker.forRun(all, node, resources() == 3);
    }

    /** The recovery service configured for this run's node and every server. */
    RecoveryServiceProcess recovery() {
        return new RecoveryServiceProcess(dir.resolve("service"), logDir, List.of(node), all);
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
