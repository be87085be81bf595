package dev.lockstep.tm.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.internal.log.DecisionLog;
import dev.lockstep.tm.internal.log.LogSettings;
import dev.lockstep.tm.internal.xa.LockstepXid;
import dev.lockstep.tm.internal.xa.XidFactory;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.recovery.FakeResourceManager.Outcome;
import dev.lockstep.tm.recovery.RecoveryAction.Kind;
import dev.lockstep.tm.testing.SimDisk;
import dev.lockstep.tm.testing.SimDisk.FailMode;
import dev.lockstep.tm.testing.SimDisk.Op;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage faults in recovery's own writes: the take-over of a dead incarnation (zeroing, manifest, new segment), its
 * HEURISTIC and END records and the retirement all go through the {@link Recovery.Builder#logStorage} given, so a
 * {@link SimDisk} can fail each of them.
 *
 * <p>Scenario of the sweep: a dead incarnation left three transactions: A decided COMMIT with both branches (pg,
 * maria) prepared; C decided COMMIT with pg committed and maria prepared; D undecided with both prepared. A recovery
 * scan runs with operation {@code n} of its own storage calls failing ({@code BEFORE}, {@code AFTER}, {@code TORN}),
 * for every {@code n}. The scan must not throw, must never roll back a decided branch or commit an undecided one; then
 * fault-free recoveries, over the disk as left and over crash images of it (a power loss after the fault), must
 * commit A and C, roll back D, and retire the incarnation.
 */
class RecoveryWriteFaultTest {

    private static final String NODE = "orders-1";

    @TempDir
    Path dir;

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);

    /** A dead incarnation's log on a simulated disk, and the resources as it left them. */
    private final class Fixture {
        final SimDisk disk = new SimDisk();
        final FakeResourceManager pg = new FakeResourceManager("pg");
        final FakeResourceManager maria = new FakeResourceManager("maria");
        final byte[] a;
        final byte[] c;
        final byte[] d;

        Fixture() throws Exception {
            SimDisk.Process tm = disk.process("tm");
            DecisionLog log = DecisionLog.open(LogSettings.of(dir, NODE), tm).log();
            XidFactory xids = new XidFactory(NODE, log.incarnation());
            a = decided(log, xids);
            c = decided(log, xids);
            pg.branches.put(LockstepXid.branch(c, 1), Outcome.COMMITTED);
            d = xids.newGtrid(clock.millis(), 60);
            pg.prepare(LockstepXid.branch(d, 1));
            maria.prepare(LockstepXid.branch(d, 2));
            tm.crash(); // kill -9: the lock is free, the incarnation dead
        }

        private byte[] decided(DecisionLog log, XidFactory xids) throws Exception {
            byte[] g = xids.newGtrid(clock.millis(), 60);
            pg.prepare(LockstepXid.branch(g, 1));
            maria.prepare(LockstepXid.branch(g, 2));
            log.writeCommit(new CommitRecord(g, clock.millis(), List.of(
                    new CommitRecord.RecordedBranch(LockstepXid.branch(g, 1).getBranchQualifier(), "pg"),
                    new CommitRecord.RecordedBranch(LockstepXid.branch(g, 2).getBranchQualifier(), "maria"))));
            return g;
        }
    }

    /** One recovery process: build, scan, close; null if it could not even be built (a fault taking its lock). */
    private ScanReport recover(SimDisk on, FakeResourceManager pg, FakeResourceManager maria, String owner) {
        SimDisk.Process process = on.process(owner);
        Recovery recovery;
        try {
            recovery = Recovery.builder().logDirectory(dir).nodeId(NODE).resource(pg).resource(maria).clock(clock)
                    .logStorage(process).build();
        } catch (IllegalStateException e) {
            process.crash();
            return null;
        }
        try (recovery) {
            return recovery.scan(); // never throws for a log problem: the report says it
        } finally {
            process.crash();
        }
    }

    @Test
    void everyFaultInRecoverysOwnWritesIsReportedAndFinishedLater() throws Exception {
        Fixture dry = new Fixture();
        long start = dry.disk.operations();
        recover(dry.disk, dry.pg, dry.maria, "recovery");
        long ops = dry.disk.operations() - start;
        assertTrue(ops > 10, "recovery's operations: " + ops);
        Set<String> reported = new TreeSet<>();
        int points = 0;
        for (long n = 0; n < ops; n++) {
            for (FailMode mode : FailMode.values()) {
                Fixture f = new Fixture();
                Op[] failedOp = {null};
                long at = start + n;
                f.disk.listener((index, op, path) -> {
                    if (index == at) {
                        failedOp[0] = op;
                    }
                });
                f.disk.failAt(at, mode);
                String where = "fault " + mode + " at recovery's operation " + n;
                ScanReport first = recover(f.disk, f.pg, f.maria, "recovery-1");
                f.disk.listener(null);
                points++;
                if (first != null) {
                    for (RecoveryAction action : first.actions()) {
                        if (!action.ok() && action.kind() != Kind.RECOVER_SCAN) {
                            reported.add(action.kind() + " after " + failedOp[0]);
                        }
                    }
                }
                checkNeverWrong(f, where);
                FakeResourceManager pgAfter = copy(f.pg);
                FakeResourceManager mariaAfter = copy(f.maria);
                List<SimDisk> images = f.disk.crashImages(new Random(n * 7 + mode.ordinal()), 2);
                finish(f.disk, f.pg, f.maria, f, where + ", disk as left");
                for (SimDisk image : images) {
                    finish(image, copy(pgAfter), copy(mariaAfter), f, where + ", after a power loss");
                }
            }
        }
        System.out.printf("recovery write faults: %d operations, %d fault points; reported %s%n", ops, points,
                reported);
        assertTrue(reported.stream().anyMatch(r -> r.startsWith("RETIRE")), "a failed retirement is reported: "
                + reported);
        assertTrue(reported.stream().anyMatch(r -> r.startsWith("ERROR")), "a failed take-over is reported: "
                + reported);
    }

    /** What no fault may cause: a decided branch rolled back, an undecided one committed. */
    private static void checkNeverWrong(Fixture f, String where) {
        for (FakeResourceManager rm : List.of(f.pg, f.maria)) {
            int bq = rm == f.pg ? 1 : 2;
            assertFalse(rm.outcome(LockstepXid.branch(f.a, bq)) == Outcome.ROLLED_BACK, where + ": A rolled back");
            assertFalse(rm.outcome(LockstepXid.branch(f.c, bq)) == Outcome.ROLLED_BACK, where + ": C rolled back");
            assertFalse(rm.outcome(LockstepXid.branch(f.d, bq)) == Outcome.COMMITTED, where + ": D committed");
        }
    }

    /** Fault-free recoveries until the dead incarnation is retired; then every outcome must be the decision. */
    private void finish(SimDisk on, FakeResourceManager pg, FakeResourceManager maria, Fixture f, String where) {
        ScanReport last = null;
        for (int pass = 0; pass < 3; pass++) {
            last = recover(on, pg, maria, "recovery-after-" + pass);
            if (last != null && last.clean() && retired(on)) {
                break;
            }
        }
        assertTrue(last != null && last.clean(), where + ": not clean: " + (last == null ? "no recovery"
                : last.inDoubt() + " " + last.logProblems()));
        assertTrue(retired(on), where + ": incarnation 1 not retired: " + on.files(LogLayout.nodeDirectory(dir,
                NODE)));
        for (FakeResourceManager rm : List.of(pg, maria)) {
            int bq = rm == pg ? 1 : 2;
            assertEquals(Outcome.COMMITTED, rm.outcome(LockstepXid.branch(f.a, bq)), where + ": A in " + rm.name());
            assertEquals(Outcome.COMMITTED, rm.outcome(LockstepXid.branch(f.c, bq)), where + ": C in " + rm.name());
            assertEquals(Outcome.ROLLED_BACK, rm.outcome(LockstepXid.branch(f.d, bq)), where + ": D in "
                    + rm.name());
        }
    }

    private boolean retired(SimDisk on) {
        for (Path p : on.files(LogLayout.nodeDirectory(dir, NODE))) {
            String name = p.getFileName().toString();
            if (LogLayout.incarnationOf(p).orElse(-1) == 1 && !name.endsWith(".lock")) {
                return false;
            }
        }
        return true;
    }

    @Test
    void aHeuristicThatCannotBeRecordedIsReportedAndNotForgotten() throws Exception {
        Fixture f = new Fixture();
        f.pg.commitErrors.add(XAException.XA_HEURRB); // pg rolled A's branch back on its own
        LockstepXid pgA = LockstepXid.branch(f.a, 1);
        boolean[] injected = {false};
        f.disk.listener((index, op, path) -> {
            // The first write after pg answered XA_HEURRB is the HEURISTIC record.
            if (!injected[0] && op == Op.WRITE && f.pg.outcome(pgA) == Outcome.HEURISTIC_ROLLED_BACK) {
                injected[0] = true;
                f.disk.failAt(index, FailMode.BEFORE);
            }
        });
        ScanReport report = recover(f.disk, f.pg, f.maria, "recovery");
        assertTrue(injected[0], "the HEURISTIC record was never written");
        List<RecoveryAction> heuristic = new ArrayList<>();
        for (RecoveryAction action : report.actions()) {
            if (action.kind() == Kind.HEURISTIC) {
                heuristic.add(action);
            }
        }
        assertEquals(1, heuristic.size(), report.actions().toString());
        assertFalse(heuristic.get(0).ok(), heuristic.toString());
        assertTrue(heuristic.get(0).detail().contains("could not be recorded"), heuristic.toString());
        // Invariant 7: a resource forgets a heuristic only after its record is durable.
        assertFalse(f.pg.calls.stream().anyMatch(c -> c.startsWith("forget")), f.pg.calls.toString());
        assertEquals(Outcome.HEURISTIC_ROLLED_BACK, f.pg.outcome(pgA));
        assertTrue(report.inDoubt().stream().anyMatch(t -> t.gtrid().equals(
                java.util.HexFormat.of().formatHex(f.a))), "A is still reported: " + report.inDoubt());
    }

    private static FakeResourceManager copy(FakeResourceManager rm) {
        FakeResourceManager c = new FakeResourceManager(rm.name());
        c.branches.putAll(rm.branches);
        return c;
    }
}
