package dev.lockstep.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.demo.transfer.Checker;
import dev.lockstep.demo.transfer.ChildJvm;
import dev.lockstep.demo.transfer.Endpoints;
import dev.lockstep.demo.transfer.RecoveryServiceProcess;
import dev.lockstep.demo.transfer.TransferApp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Three application processes share one decision store in PostgreSQL (docs/cluster.md) and transfer across
 * PostgreSQL, MariaDB and Artemis, each with in-process recovery of every node of the store. Then a scale-down from
 * three nodes to one: the first is killed with SIGKILL at a random moment under load, the second is stopped with
 * SIGTERM; the survivor finishes both nodes' transactions with no recovery service and no operator. Last the
 * survivor is killed too, and the recovery service (decision.store.*, nodes = *) finishes its transactions.
 *
 * <p>Checked for every node: nothing of it stays in doubt, every transfer is in all three resources or in none,
 * each message delivered once, the balances add up, no transfer the app saw commit is lost, and its incarnation is
 * retired from the store. The takeover times (kill to the last branch finished) are printed and written to {@code
 * target/cluster-kill.md}. Trials: {@code -Dlockstep.cluster.trials} (default 1); kill delays from {@code
 * -Dlockstep.cluster.seed}.
 */
class ClusterKillTest {

    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Duration SCAN_INTERVAL = Duration.ofSeconds(1);
    private static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(60);
    private static final List<Long> TAKEOVER_MILLIS = Collections.synchronizedList(new ArrayList<>());
    private static final List<String> TRIALS = Collections.synchronizedList(new ArrayList<>());
    private static Endpoints all;
    private static DecisionTables tables;
    private static long seed;

    @BeforeAll
    static void servers() throws Exception {
        RecoveryServiceProcess.jar();
        all = Endpoints.ofHarness(true);
        tables = DecisionTables.open(all);
        seed = Long.getLong("lockstep.cluster.seed", System.nanoTime());
    }

    @AfterAll
    static void summary() throws Exception {
        tables.close();
        List<Long> t = new ArrayList<>(TAKEOVER_MILLIS);
        Collections.sort(t);
        String summary = t.isEmpty() ? "no takeover measured" : t.size() + " takeover(s): kill to last branch "
                + "finished min " + t.get(0) + " ms, median " + t.get(t.size() / 2) + " ms, max " + t.get(t.size() - 1)
                + " ms (lease " + LEASE.toSeconds() + " s, scan every " + SCAN_INTERVAL.toSeconds() + " s)";
        System.out.println("[cluster-kill] seed " + seed + ": " + summary);
        StringBuilder md = new StringBuilder("# Three nodes on one decision store, scaled down to none\n\nSeed "
                + seed + ". " + summary + ".\n\n```\n");
        TRIALS.forEach(line -> md.append(line).append('\n'));
        md.append("```\n");
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "cluster-kill.md"), md.toString());
    }

    @TestFactory
    Stream<DynamicTest> scaleDownByKillAndTermThenRecoveryOfAllNodes() {
        int trials = Integer.getInteger("lockstep.cluster.trials", 1);
        Random random = new Random(seed);
        long[] delays = random.longs(trials, 0, 1_001).toArray();
        System.out.println("[cluster-kill] " + trials + " trial(s), seed " + seed);
        return IntStream.range(0, trials).mapToObj(i -> DynamicTest.dynamicTest("trial " + (i + 1) + ": kill -9 "
                + delays[i] + " ms into the load", () -> trial(i + 1, delays[i])));
    }

    private void trial(int n, long delayMillis) throws Exception {
        CrashRuns.cleanSlate(all);
        String schema = "cluster_" + n + "_" + Long.toHexString(System.nanoTime() & 0xffffff);
        tables.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        TransferRun.Store store = new TransferRun.Store(schema, LEASE, SCAN_INTERVAL);
        List<TransferRun> runs = List.of(TransferRun.open("cla", all, 3, store), TransferRun.open("clb", all, 3,
                store), TransferRun.open("clc", all, 3, store));
        List<ChildJvm> apps = new ArrayList<>();
        try {
            for (TransferRun run : runs) {
                apps.add(run.load(2, 0));
            }
            for (ChildJvm app : apps) {
                app.awaitLine(TransferApp.LOAD_RUNNING, Duration.ofSeconds(90));
            }
            Thread.sleep(delayMillis);

            long killed = System.nanoTime();
            assertEquals(ChildJvm.SIGKILL_EXIT, apps.get(0).kill9());
            long firstTakeover = awaitFinished(runs.get(0), schema, killed, apps.get(2));

            long termed = System.nanoTime();
            apps.get(1).terminate();
            long secondTakeover = awaitFinished(runs.get(1), schema, termed, apps.get(2));

            for (int i = 0; i < 2; i++) {
                check(runs.get(i), apps.get(i), false);
            }

            long lastKilled = System.nanoTime();
            assertEquals(ChildJvm.SIGKILL_EXIT, apps.get(2).kill9());
            long lastRecovered = recoverLast(runs.get(2), schema, lastKilled);
            check(runs.get(2), apps.get(2), false);
            assertEquals(0, tables.count("SELECT count(*) FROM " + schema + ".incarnation"),
                    "every incarnation retired");

            String line = String.format("trial %d: kill -9 %4d ms into the load; taken over and finished by the "
                    + "survivors: SIGKILL %d ms, SIGTERM %d ms; the last node by the recovery service: %d ms", n,
                    delayMillis, firstTakeover, secondTakeover, lastRecovered);
            TRIALS.add(line);
            System.out.println("[cluster-kill] " + line);
        } finally {
            for (ChildJvm app : apps) {
                app.close();
            }
        }
    }

    /** Waits until the node's branches are finished and its incarnation retired; returns the time since it died. */
    private long awaitFinished(TransferRun run, String schema, long diedNanos, ChildJvm survivor) throws Exception {
        Checker checker = Checker.forRunAmongOthers(all, run.node);
        long deadline = diedNanos + TAKEOVER_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (finished(run, schema, checker)) {
                return takeoverMillis(diedNanos);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("node " + run.node + " still has branches in doubt or an incarnation "
                + TAKEOVER_LIMIT + " after it died: " + checker.inDoubt() + "\nthe survivor's output:\n"
                + survivor.tail());
    }

    /**
     * The last node: the recovery service jar, configured with the decision store and {@code nodes = *}, runs
     * {@code scan} until the node's lease expired and its transactions are finished.
     */
    private long recoverLast(TransferRun run, String schema, long diedNanos) throws Exception {
        RecoveryServiceProcess service = run.recovery();
        Checker checker = Checker.forRunAmongOthers(all, run.node);
        long deadline = diedNanos + TAKEOVER_LIMIT.toNanos();
        RecoveryServiceProcess.Result last = null;
        while (System.nanoTime() < deadline) {
            last = service.run(Duration.ofSeconds(60), "scan");
            int exit = last.exitCode();
            assertTrue(exit == RecoveryServiceProcess.OK || exit == RecoveryServiceProcess.IN_DOUBT, last.describe());
            if (finished(run, schema, checker)) {
                return takeoverMillis(diedNanos);
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the last node " + run.node + " is not recovered by the service after "
                + TAKEOVER_LIMIT + ": " + checker.inDoubt() + "\nlast scan: " + (last == null ? "none"
                : last.describe()));
    }

    /** Nothing of the node is in doubt on any server, and its incarnation is retired from the store. */
    private static boolean finished(TransferRun run, String schema, Checker checker) throws Exception {
        return checker.inDoubt().isEmpty() && tables.count("SELECT count(*) FROM " + schema
                + ".incarnation WHERE node_id = '" + run.node + "'") == 0;
    }

    /** The time since the node died, recorded for the summary. */
    private static long takeoverMillis(long diedNanos) {
        long millis = (System.nanoTime() - diedNanos) / 1_000_000;
        TAKEOVER_MILLIS.add(millis);
        return millis;
    }

    private void check(TransferRun run, ChildJvm app, boolean failuresExpected) throws Exception {
        Checker.Report report = Checker.forRunAmongOthers(all, run.node).check();
        assertTrue(report.ok(), report.toString());
        long seen = TransferApp.lastCommitted(app.output());
        assertTrue(report.committed() >= seen, "node " + run.node + " saw " + seen + " transfers commit, the "
                + "resources hold " + report.committed() + ": " + report);
        if (!failuresExpected) {
            assertTrue(!app.output().contains("FAILED id="), "transfers failed under load:\n" + app.tail());
        }
    }

    /**
     * The zombie: a node stopped with SIGSTOP for longer than its lease while transfers are in every phase. The other
     * node takes its lease over and finishes what the resources let it finish: PostgreSQL and Artemis branches at
     * once, while a prepared MariaDB branch stays attached to the stopped node's open session (docs/xa-quirks.md) until
     * the node wakes or dies. After SIGCONT the node's decisions are refused by the fence and it refuses new
     * transactions (LKS-043); then it is killed, the other node finishes the rest, and no transfer of either node has
     * a mixed outcome.
     */
    @org.junit.jupiter.api.Test
    void aPausedNodeWakesFencedAndNoTransactionHasTwoOutcomes() throws Exception {
        CrashRuns.cleanSlate(all);
        String schema = "zombie_" + Long.toHexString(System.nanoTime() & 0xffffff);
        tables.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        TransferRun.Store store = new TransferRun.Store(schema, LEASE, SCAN_INTERVAL);
        TransferRun zombie = TransferRun.open("clz", all, 3, store);
        TransferRun survivor = TransferRun.open("cls", all, 3, store);
        try (ChildJvm z = zombie.load(2, 0); ChildJvm s = survivor.load(2, 0)) {
            z.awaitLine(TransferApp.LOAD_RUNNING, Duration.ofSeconds(90));
            s.awaitLine(TransferApp.LOAD_RUNNING, Duration.ofSeconds(90));
            signal("STOP", z.pid());
            long stopped = System.nanoTime();
            long takeover = awaitTakenOver(zombie, schema, stopped, s);
            Checker checker = Checker.forRunAmongOthers(all, zombie.node);
            Thread.sleep(3 * SCAN_INTERVAL.toMillis());
            List<String> heldBySession = new ArrayList<>();
            for (var branch : checker.inDoubt()) {
                assertEquals("mariadb", branch.server(), "while the node is stopped the taker finishes "
                        + "every branch but a MariaDB one its open session holds: " + checker.inDoubt());
                heldBySession.add(branch.toString());
            }
            signal("CONT", z.pid());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!z.output().contains("LKS-043") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(z.output().contains("LKS-043"), "the woken node's commits and begins are refused by the "
                    + "fence:\n" + z.tail());
            long committedBefore = TransferApp.lastCommitted(z.output());
            Thread.sleep(1_000);
            assertEquals(ChildJvm.SIGKILL_EXIT, z.kill9());
            // What its session held, or it prepared after waking, is finished by the survivor.
            awaitFinished(zombie, schema, System.nanoTime(), s);
            check(zombie, z, true);
            assertEquals(ChildJvm.SIGKILL_EXIT, s.kill9());
            recoverLast(survivor, schema, System.nanoTime());
            check(survivor, s, false);
            String line = String.format("zombie: SIGSTOP to lease taken %d ms; %d MariaDB branch(es) held by its "
                    + "stopped session meanwhile; after SIGCONT its commits and begins were refused (LKS-043), the %d "
                    + "transfer(s) it had seen commit all kept", takeover, heldBySession.size(), committedBefore);
            TRIALS.add(line);
            System.out.println("[cluster-kill] " + line);
        }
    }

    /** Waits until another node took the lease of {@code run}'s incarnation (or retired it); returns the time. */
    private long awaitTakenOver(TransferRun run, String schema, long sinceNanos, ChildJvm taker) throws Exception {
        long deadline = sinceNanos + TAKEOVER_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (tables.count("SELECT count(*) FROM " + schema + ".incarnation WHERE node_id = '" + run.node
                    + "' AND epoch = 1") == 0) {
                return (System.nanoTime() - sinceNanos) / 1_000_000;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("nobody took the lease of " + run.node + " within " + TAKEOVER_LIMIT + "\n"
                + tables.diagnosis(schema) + "the taker's output:\n" + taker.tail());
    }

    private static void signal(String signal, long pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertEquals(0, p.waitFor(), "kill -" + signal + " " + pid);
    }
}
