package dev.lockstep.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.demo.transfer.Checker;
import dev.lockstep.demo.transfer.ChildJvm;
import dev.lockstep.demo.transfer.Endpoints;
import dev.lockstep.demo.transfer.LogfmtReader;
import dev.lockstep.demo.transfer.RecoveryServiceProcess;
import dev.lockstep.demo.transfer.TransferApp;
import dev.lockstep.demo.transfer.XaBranches;
import dev.lockstep.tm.spi.CrashPoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/design.md section 3, one row per crash point, resource set and way of keeping and recovering the decisions
 * ({@link Decisions}).
 *
 * <p>Scenario: a TransferApp in its own JVM (PostgreSQL + MariaDB, or + Artemis) commits one transfer, then halts
 * ({@code Runtime.halt}, like kill -9) when the next transfer reaches crash point X. Its decisions are in the file log
 * or in the PostgreSQL decision store (docs/cluster.md, a schema per run, a lease of {@value #LEASE_SECONDS} s).
 * Then the crashed node's transactions are finished: with the file log, the recovery service jar runs {@code scan}
 * once, as its own process, on the node's log and every server; with the store, either that jar ({@code nodes = *},
 * {@code decision.store.*}) scans once after the dead incarnation's lease expired, or the node is started again and
 * its new incarnation's in-process recovery takes the expired lease.
 *
 * <p>Expected: the halt leaves as many branches prepared as the point says (C1: none; C2: the first; C3, C4, C7: all;
 * C5: all but the first; C6: none); with the store, the crashed transfer's COMMIT is in the database at the halt for
 * C4–C7 and not for C1–C3 (C7 of the store is "statement committed, committer not told", C6 "all committed, END never
 * written"); the scan exits 0; the Checker finds nothing in doubt and every transfer in all resources or none, each
 * message delivered once; the crashed transfer is rolled back everywhere for C1–C3, committed everywhere for C4–C6,
 * and for C7 has one outcome, the same everywhere (with the store: committed, its COMMIT being durable); with the
 * store, it is committed everywhere if and only if its COMMIT reached the database; the transfer before it stays
 * committed; the dead incarnation is gone (its log files, or its lease row and records in the store).
 *
 * <p>The CI runs every point with the file log on both resource sets, and a share of the store's runs on three
 * resources ({@link #inCiShare}); {@code -Dlockstep.sweep.deep=true} runs the store on both resource sets with both
 * ways of recovery for every point. Beside the matrix, a crash during the lease renewal
 * ({@link #aRenewalInFlightWhenTheNodeDiesOnlyDelaysTheTakeover}). Writes the matrix (point × resources × decisions →
 * outcome, recovery time) to stdout and to {@code target/crash-matrix.md}.
 */
class CrashPointSuiteTest {

    /** The store's lease: the shortest allowed, so a dead incarnation is taken soon. */
    static final int LEASE_SECONDS = 2;
    private static final Duration RECOVERY_INTERVAL = Duration.ofMillis(500);
    private static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(60);
    private static final boolean DEEP = Boolean.getBoolean("lockstep.sweep.deep");
    private static final Map<String, String> MATRIX = new TreeMap<>();
    private static Endpoints all;
    private static DecisionTables tables;

    /** Where the crashed node keeps its decisions, and who finishes its transactions. */
    enum Decisions {
        /** The file log under the node's directory; the recovery service scans it. */
        FILE_LOG("file log, service", "f"),
        /** The database store; the recovery service, for every node of the store, once the lease expired. */
        STORE_SERVICE("store, service", "s"),
        /** The database store; the node restarted, its new incarnation takes the expired lease in process. */
        STORE_RESTART("store, restarted node", "r");

        final String label;
        /** In the node id, so a run's rows and messages say which way it ran. */
        final String tag;

        Decisions(String label, String tag) {
            this.label = label;
            this.tag = tag;
        }

        boolean inStore() {
            return this != FILE_LOG;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    @BeforeAll
    static void servers() throws Exception {
        RecoveryServiceProcess.jar(); // fail fast, with how to build it
        all = Endpoints.ofHarness(true);
        tables = DecisionTables.open(all);
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (CrashPoint p : CrashPoint.values()) {
            cases.add(Arguments.of(p, 2, Decisions.FILE_LOG));
            cases.add(Arguments.of(p, 3, Decisions.FILE_LOG));
        }
        for (CrashPoint p : CrashPoint.values()) {
            for (Decisions d : List.of(Decisions.STORE_SERVICE, Decisions.STORE_RESTART)) {
                for (int resources : List.of(2, 3)) {
                    if (DEEP || (resources == 3 && inCiShare(p, d))) {
                        cases.add(Arguments.of(p, resources, d));
                    }
                }
            }
        }
        return cases.stream();
    }

    /**
     * The store's runs in the CI share (13 to 20 s each on a busy two-core machine), each way of recovery twice:
     * undecided with every branch prepared (C3), decided with none committed (C4), every branch committed and the END
     * never written (C6: recovery finds a COMMIT with nothing left to commit), and the COMMIT durable but never
     * acknowledged (C7).
     */
    private static boolean inCiShare(CrashPoint p, Decisions d) {
        return switch (p) {
            case C3_ALL_PREPARED, C6_ALL_COMMITTED -> d == Decisions.STORE_RESTART;
            case C4_DECISION_FORCED, C7_MID_RECORD -> d == Decisions.STORE_SERVICE;
            case C1_BEFORE_PREPARE, C2_SOME_PREPARED, C5_SOME_COMMITTED -> false;
        };
    }

    @ParameterizedTest(name = "{0} with {1} resources, {2}")
    @MethodSource("cases")
    void recoveryFinishesTheCrashedTransferAsDesignSectionThreeSays(CrashPoint point, int resources,
            Decisions decisions) throws Exception {
        String key = point.name().substring(0, 2) + " " + resources + " " + decisions.tag;
        try {
            run(point, resources, decisions, key);
        } catch (Throwable t) {
            MATRIX.putIfAbsent(key, row(point, resources, decisions, "FAILED: " + firstLine(t), "", "", "", "",
                    ""));
            throw t;
        }
    }

    private void run(CrashPoint point, int resources, Decisions decisions, String key) throws Exception {
        CrashRuns.cleanSlate(all);
        TransferRun.Store store = decisions.inStore() ? new TransferRun.Store("crash_" + Integer.toHexString(
                ThreadLocalRandom.current().nextInt(0x1000000, 0x10000000)), Duration.ofSeconds(LEASE_SECONDS),
                RECOVERY_INTERVAL) : null;
        TransferRun run = TransferRun.open(point.name().substring(0, 2).toLowerCase() + "-" + resources + "r"
                + decisions.tag, all, resources, store);

        Map<String, String> halt;
        try (ChildJvm app = run.crash(point, 1)) {
            assertEquals(TransferApp.HALTED, app.awaitExit(Duration.ofSeconds(60)),
                    "the app must halt at " + point + ":\n" + app.tail());
            halt = app.output().lines().filter(l -> l.startsWith(TransferApp.HALT + " point=" + point.name()))
                    .findFirst().map(LogfmtReader::parse).orElseThrow(() -> new AssertionError(app.tail()));
        }
        String tx = halt.get("tx"); // node:incarnation:sequence
        long incarnation = Long.parseLong(tx.split(":")[1]);
        Checker checker = run.checker();
        List<XaBranches.InDoubtBranch> before = checker.inDoubt();
        int expectedPrepared = switch (point) {
            case C1_BEFORE_PREPARE, C6_ALL_COMMITTED -> 0;
            case C2_SOME_PREPARED -> 1;
            case C5_SOME_COMMITTED -> resources - 1;
            case C3_ALL_PREPARED, C4_DECISION_FORCED, C7_MID_RECORD -> resources;
        };
        assertEquals(expectedPrepared, before.size(), "branches the halt at " + point + " left prepared: " + before);
        // With the store: did the crashed transfer's decision reach the database? From C4 on it did (C7: committed,
        // never acknowledged); before, it did not. What else the incarnation left open: the transfer before it, whose
        // END may still have been queued in the writer when the JVM halted.
        boolean decided = store != null && tables.holdsCommit(store.schema(), tx);
        String openAtHalt = store == null ? "" : Long.toString(tables.count("SELECT count(*) FROM " + store.schema()
                + ".decision WHERE incarnation = " + incarnation));
        if (store != null) {
            assertEquals(point.compareTo(CrashPoint.C4_DECISION_FORCED) >= 0, decided, "the COMMIT of " + tx
                    + " in the store at the halt at " + point);
        }

        Recovered recovered = decisions == Decisions.STORE_RESTART ? restart(run, incarnation, checker)
                : scan(run, incarnation);

        Checker.Report report = checker.check();
        assertTrue(report.ok(), report + "\n" + recovered.describe());
        assertEquals(Checker.Outcome.COMMITTED, report.outcomeOf(run.transferBefore(0)),
                "the transfer committed before the crash: " + report);
        Checker.Outcome outcome = report.outcomeOf(run.crashedTransfer());
        switch (point) {
            case C1_BEFORE_PREPARE, C2_SOME_PREPARED, C3_ALL_PREPARED ->
                    assertEquals(Checker.Outcome.ROLLED_BACK, outcome, report + "\n" + recovered.describe());
            case C4_DECISION_FORCED, C5_SOME_COMMITTED, C6_ALL_COMMITTED ->
                    assertEquals(Checker.Outcome.COMMITTED, outcome, report + "\n" + recovered.describe());
            case C7_MID_RECORD -> assertNotEquals(Checker.Outcome.MIXED, outcome, report.toString());
        }
        if (store != null) {
            assertEquals(decided ? Checker.Outcome.COMMITTED : Checker.Outcome.ROLLED_BACK, outcome, "committed "
                    + "everywhere if and only if its COMMIT reached the store: " + report + "\n"
                    + recovered.describe());
        }
        String left = store == null ? String.join(", ", run.incarnationFiles(incarnation).stream()
                .map(Path::toString).toList()) : rowsLeft(store, incarnation);
        assertEquals("", left, "what is left of the dead incarnation " + incarnation + " after recovery:\n"
                + recovered.describe());
        if (store != null) {
            tables.exec("DROP SCHEMA " + store.schema() + " CASCADE");
        }

        MATRIX.put(key, row(point, resources, decisions, outcome.name().toLowerCase().replace('_', ' '),
                before.size() + (store == null ? "" : "; " + openAtHalt + " open in the store"), recovered.actions(),
                recovered.exit(), left.isEmpty() ? "yes" : "no: " + left, recovered.millis()));
    }

    /** What the recovery did, for the assertions' messages and the matrix. */
    private record Recovered(String actions, String exit, String millis, String describe) {
    }

    /**
     * The recovery service scans once: of the node's log, or, with the store, of every node of the store once the
     * dead incarnation's lease expired (it must then finish everything, not report it as a live node's).
     */
    private static Recovered scan(TransferRun run, long incarnation) throws Exception {
        if (run.store != null) {
            long deadline = System.nanoTime() + run.store.lease().multipliedBy(5).toNanos();
            while (!tables.leaseExpired(run.store.schema(), incarnation)) {
                assertTrue(System.nanoTime() < deadline, "the lease of incarnation " + incarnation + " never expired");
                Thread.sleep(100);
            }
        }
        RecoveryServiceProcess.Result scan = run.recovery().run(Duration.ofSeconds(90), "scan");
        assertEquals(RecoveryServiceProcess.OK, scan.exitCode(), "scan after the halt:\n" + scan.describe());
        return new Recovered(actions(scan), "exit " + scan.exitCode(), scan.millis() + " (" + scan.scanMillis() + ")",
                scan.describe());
    }

    /**
     * The node starts again (recover mode): its new incarnation's in-process recovery takes the dead incarnation's
     * expired lease and finishes it, with no recovery service and no operator. Waits until nothing of the node is in
     * doubt and the dead incarnation is retired from the store.
     */
    private static Recovered restart(TransferRun run, long incarnation, Checker checker) throws Exception {
        long started = System.nanoTime();
        try (ChildJvm again = run.restart()) {
            String restarted = awaitRecovering(again, incarnation);
            awaitRecovered(again, run, incarnation, checker, started);
            return new Recovered("in process, incarnation " + restarted, "restarted",
                    Long.toString((System.nanoTime() - started) / 1_000_000), "the restarted node:\n" + again.tail());
        }
    }

    /** Waits until the restarted node runs as a new incarnation; returns its number. */
    private static String awaitRecovering(ChildJvm again, long deadIncarnation) throws Exception {
        String restarted = LogfmtReader.parse(again.awaitLine(TransferApp.RECOVERING, Duration.ofSeconds(60)))
                .get("incarnation");
        assertNotEquals(Long.toString(deadIncarnation), restarted, "a new incarnation");
        return restarted;
    }

    /** Waits until nothing of the node is in doubt and {@code incarnation} is retired from the store. */
    private static void awaitRecovered(ChildJvm again, TransferRun run, long incarnation, Checker checker,
            long startedNanos) throws Exception {
        long deadline = startedNanos + TAKEOVER_LIMIT.toNanos();
        while (!checker.inDoubt().isEmpty() || !rowsLeft(run.store, incarnation).isEmpty()) {
            assertTrue(again.isAlive(), "the restarted node died:\n" + again.tail());
            assertTrue(System.nanoTime() < deadline, "the restarted node did not finish incarnation " + incarnation
                    + " within " + TAKEOVER_LIMIT + ": in doubt " + checker.inDoubt() + ", left "
                    + rowsLeft(run.store, incarnation) + "\n" + again.tail());
            Thread.sleep(100);
        }
        assertFalse(again.output().contains("FAILED"), again.tail());
    }

    /**
     * A crash during the lease renewal. Scenario: a node in the store stands in a transfer paused at C4 (its COMMIT in
     * the database, no branch committed; load mode, one thread) while this test holds the node's lease row locked
     * ({@code FOR UPDATE}), so that the node's next renewal waits in the server; {@code kill -9} of the node with that
     * renewal in flight. The lock is kept past the old expiry, and the node is started again: its in-process
     * recovery's takeover waits on the lock behind the dead node's renewal. Then the lock is released.
     *
     * <p>Expected: the dead node's renewal either goes through after its death, so the lease is held again and the
     * taker (whose epoch bump is checked again after the wait) takes it only after that later expiry, or it is dropped
     * with its backend, and the taker takes the long expired lease at once. The harness' PostgreSQL 15 was seen to do
     * both: in some runs the backend of the client that is gone ended without committing the statement, in others it
     * committed it. Either way no
     * takeover is seen before the expiry in force, by the database's clock; then the restarted node commits the
     * paused transfer everywhere, nothing is in doubt, every transfer is in all resources or none, and the dead
     * incarnation is retired. A renewal in flight at a crash delays a takeover by at most a lease and decides nothing.
     */
    @Test
    void aRenewalInFlightWhenTheNodeDiesOnlyDelaysTheTakeover() throws Exception {
        CrashRuns.cleanSlate(all);
        TransferRun.Store store = new TransferRun.Store("crash_" + Integer.toHexString(ThreadLocalRandom.current()
                .nextInt(0x1000000, 0x10000000)), Duration.ofSeconds(LEASE_SECONDS), RECOVERY_INTERVAL);
        TransferRun run = TransferRun.open("renew-3r", all, 3, store);
        String renewal = "UPDATE " + store.schema() + ".incarnation SET expires_at = clock_timestamp() + ";
        String takeOver = "UPDATE " + store.schema() + ".incarnation SET epoch = epoch + 1";
        Map<String, String> paused;
        long incarnation;
        long started;
        try (ChildJvm app = run.pause(CrashPoint.C4_DECISION_FORCED, 1)) {
            paused = LogfmtReader.parse(app.awaitLine(TransferApp.PAUSED, Duration.ofSeconds(60)));
            String tx = paused.get("tx");
            incarnation = Long.parseLong(tx.split(":")[1]);
            assertTrue(tables.holdsCommit(store.schema(), tx), "paused at C4, " + tx + " is decided");
            try (DecisionTables.LeaseLock lock = tables.lockLease(store.schema(), incarnation)) {
                awaitWaiting(renewal, "the node's renewal");
                assertEquals(ChildJvm.SIGKILL_EXIT, app.kill9());
                started = System.nanoTime();
                try (ChildJvm again = run.restart()) {
                    awaitRecovering(again, incarnation);
                    awaitWaiting(takeOver, "the restarted node's takeover");
                    assertEquals(1, tables.sessionsIn(renewal, true), "the dead node's renewal still waits");
                    DecisionTables.Lease old = tables.lease(store.schema(), incarnation);
                    assertTrue(old.epoch() == 1 && !old.held(), "held by the dead node, expired: " + old);
                    lock.release();
                    awaitDone(renewal, "the dead node's renewal");

                    // The expiry in force: the old one, or a later one if the dead node's renewal went through.
                    DecisionTables.Lease now = tables.lease(store.schema(), incarnation);
                    long expiry = old.expiresMicros();
                    boolean landed = now.epoch() == 1 && now.expiresMicros() > old.expiresMicros();
                    while (now.epoch() == 1) {
                        expiry = Math.max(expiry, now.expiresMicros());
                        assertTrue(System.nanoTime() < started + TAKEOVER_LIMIT.toNanos(), "never taken: " + now
                                + "\n" + again.tail());
                        Thread.sleep(20);
                        now = tables.lease(store.schema(), incarnation);
                    }
                    // Seen taken (or retired) at now.nowMicros(), so taken no later: never before the expiry.
                    assertTrue(now.nowMicros() >= expiry, "the lease was taken at least " + (expiry
                            - now.nowMicros()) / 1000 + " ms before its expiry: " + old + " then " + now);
                    System.out.println("[crash] a renewal in flight at kill -9 " + (landed ? "went through after the "
                            + "death; the lease was taken after the later expiry it set" : "was dropped with its "
                            + "backend; the lease was taken after its old expiry"));
                    awaitRecovered(again, run, incarnation, run.checker(), started);
                }
            }
        }
        Checker.Report report = run.checker().check();
        assertTrue(report.ok(), report.toString());
        assertEquals(Checker.Outcome.COMMITTED, report.outcomeOf(paused.get("id")), report.toString());
        assertTrue(report.committed() >= 2, "the transfer before the paused one and the paused one: " + report);
        assertEquals("", rowsLeft(store, incarnation));
        tables.exec("DROP SCHEMA " + store.schema() + " CASCADE");
    }

    /** Waits until a session waits for a lock in a statement starting with {@code statementStart}. */
    private static void awaitWaiting(String statementStart, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(LEASE_SECONDS * 5L).toNanos();
        while (tables.sessionsIn(statementStart, true) == 0) {
            assertTrue(System.nanoTime() < deadline, what + " never waited for the lease row: " + statementStart);
            Thread.sleep(20);
        }
    }

    /** Waits until no session runs a statement starting with {@code statementStart}. */
    private static void awaitDone(String statementStart, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (tables.sessionsIn(statementStart, false) > 0) {
            assertTrue(System.nanoTime() < deadline, what + " still runs: " + statementStart);
            Thread.sleep(10);
        }
    }

    /** The lease row and records the incarnation still has in the store, in words; empty once it is retired. */
    private static String rowsLeft(TransferRun.Store store, long incarnation) throws Exception {
        long rows = tables.rowsOf(store.schema(), incarnation);
        return rows == 0 ? "" : rows + " row(s) of incarnation " + incarnation + " in " + store.schema();
    }

    private static String actions(RecoveryServiceProcess.Result scan) {
        Map<String, Integer> counts = new TreeMap<>();
        scan.events().forEach(e -> counts.merge(e.get("event"), 1, Integer::sum));
        StringBuilder s = new StringBuilder();
        for (String event : List.of("take_over", "commit", "rollback", "end", "retire", "heuristic", "error")) {
            Integer n = counts.remove(event);
            if (n != null) {
                s.append(s.isEmpty() ? "" : ", ").append(event).append(' ').append(n);
            }
        }
        counts.keySet().removeAll(List.of("recover_scan", "scan_done", "log"));
        counts.forEach((event, n) -> s.append(s.isEmpty() ? "" : ", ").append(event).append(' ').append(n));
        if (scan.events("take_over").stream().anyMatch(e -> e.getOrDefault("detail", "").contains("torn tail"))) {
            s.append(" (torn tail repaired)");
        }
        return s.toString();
    }

    private static String row(CrashPoint point, int resources, Decisions decisions, String outcome, String prepared,
            String actions, String exit, String reclaimed, String millis) {
        return "| " + point.name() + " | " + (resources == 3 ? "PG + MariaDB + Artemis" : "PG + MariaDB") + " | "
                + decisions + " | " + prepared + " | " + outcome + " | " + exit + " | " + actions + " | " + reclaimed
                + " | " + millis
                + " |";
    }

    private static String firstLine(Throwable t) {
        String m = String.valueOf(t.getMessage());
        return m.lines().findFirst().orElse(t.toString()).replace('|', '/');
    }

    @AfterAll
    static void writeMatrix() throws Exception {
        tables.close();
        StringBuilder md = new StringBuilder();
        md.append("# Crash matrix (docs/design.md section 3)\n\n")
                .append("A child JVM commits one transfer, halts at the point during the next, then `lockstep-recovery-"
                        + "service.jar scan` runs as its own process (with the store: once the lease of "
                        + LEASE_SECONDS + " s expired), or, for a restarted node, the node starts again and recovers "
                        + "in process. Recovery ms = wall time of that process, JVM start included (in parentheses: "
                        + "the scan itself, `took_ms` of its `scan_done` line); for a restarted node, from its start "
                        + "to the dead incarnation retired.\n\n")
                .append("| point | resources | decisions, recovery | prepared after halt | crashed transfer | scan "
                        + "| service actions | log reclaimed | recovery ms |\n")
                .append("|---|---|---|---:|---|---|---|---|---:|\n");
        MATRIX.values().forEach(r -> md.append(r).append('\n'));
        Path file = Path.of("target", "crash-matrix.md");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, md.toString(), StandardCharsets.UTF_8);
        System.out.println(md);
    }
}
