package dev.lockstep.tm.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.tm.internal.log.DecisionLog;
import dev.lockstep.tm.internal.log.LogSettings;
import dev.lockstep.tm.internal.xa.LockstepXid;
import dev.lockstep.tm.internal.xa.XidFactory;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.recovery.FakeResourceManager.Outcome;
import dev.lockstep.tm.testing.SimDisk;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery end to end over a simulated disk ({@link Recovery.Builder#logStorage}): a transaction manager prepares
 * two branches per transaction, forces a COMMIT for most, commits some branches and writes their END, and dies at
 * every few storage operations with a power loss; a recovery scan of each crash image, with the resources as they
 * were at that moment, must commit every acknowledged decision, roll back what was never decided, never split a
 * transaction, report no log problem, and retire the dead incarnation once nothing in it is open.
 */
class RecoveryOverSimDiskTest {

    private static final String NODE = "orders-1";

    @TempDir
    Path dir;

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);

    /** The state of one transaction as the dying process left it. */
    private record Tx(byte[] gtrid, boolean acked, boolean appended) {
    }

    @Test
    void everyCrashImageIsRecoveredWithoutGuessing() throws Exception {
        SimDisk disk = new SimDisk();
        FakeResourceManager pg = new FakeResourceManager("pg");
        FakeResourceManager maria = new FakeResourceManager("maria");
        List<byte[]> gtrids = new ArrayList<>();
        Set<Integer> appended = new HashSet<>();
        Set<Integer> acked = new HashSet<>();
        Random random = new Random(3);
        int[] checked = {0};
        disk.listener((index, op, path) -> {
            if (index % 2 != 0) {
                return;
            }
            for (SimDisk image : disk.crashImages(random, 2)) {
                List<Tx> txs = new ArrayList<>();
                for (int i = 0; i < gtrids.size(); i++) {
                    txs.add(new Tx(gtrids.get(i), acked.contains(i), appended.contains(i)));
                }
                recover(image, copy(pg), copy(maria), txs, "before operation " + index + " (" + op + " " + path
                        + ")");
                checked[0]++;
            }
        });
        DecisionLog log = DecisionLog.open(LogSettings.of(dir, NODE), disk.process("tm")).log();
        XidFactory xids = new XidFactory(NODE, log.incarnation());
        for (int t = 0; t < 80; t++) {
            byte[] gtrid = xids.newGtrid(clock.millis(), 60);
            gtrids.add(gtrid);
            pg.prepare(LockstepXid.branch(gtrid, 1));
            maria.prepare(LockstepXid.branch(gtrid, 2));
            if (t % 7 == 3) {
                continue; // never decided: presumed abort
            }
            appended.add(t);
            log.writeCommit(new CommitRecord(gtrid, clock.millis(), List.of(
                    new CommitRecord.RecordedBranch(LockstepXid.branch(gtrid, 1).getBranchQualifier(), "pg"),
                    new CommitRecord.RecordedBranch(LockstepXid.branch(gtrid, 2).getBranchQualifier(), "maria"))));
            acked.add(t);
            if (t % 3 != 0) {
                pg.branches.put(LockstepXid.branch(gtrid, 1), Outcome.COMMITTED);
                maria.branches.put(LockstepXid.branch(gtrid, 2), Outcome.COMMITTED);
                log.writeEnd(new EndRecord(gtrid));
            }
            if (t % 10 == 9) {
                log.flush(false);
            }
        }
        disk.listener(null);
        System.out.printf("recovery over SimDisk: %d crash images recovered%n", checked[0]);
        assertTrue(checked[0] > 100, "images: " + checked[0]);
    }

    private static FakeResourceManager copy(FakeResourceManager rm) {
        FakeResourceManager c = new FakeResourceManager(rm.name());
        c.branches.putAll(rm.branches);
        return c;
    }

    private void recover(SimDisk image, FakeResourceManager pg, FakeResourceManager maria, List<Tx> txs,
            String where) {
        ScanReport report;
        try (Recovery recovery = Recovery.builder().logDirectory(dir).nodeId(NODE).resource(pg).resource(maria)
                .clock(clock).logStorage(image.process("recovery")).build()) {
            report = recovery.scan();
        }
        assertEquals(List.of(), report.logProblems(), where);
        for (Tx tx : txs) {
            Outcome a = pg.outcome(LockstepXid.branch(tx.gtrid(), 1));
            Outcome b = maria.outcome(LockstepXid.branch(tx.gtrid(), 2));
            if (a != b) {
                fail(where + ": transaction split: pg " + a + ", maria " + b);
            }
            if (tx.acked() && a != Outcome.COMMITTED) {
                fail(where + ": an acknowledged COMMIT was not committed: " + a);
            }
            if (!tx.appended() && a != Outcome.ROLLED_BACK) {
                fail(where + ": a transaction never decided was not rolled back: " + a);
            }
        }
        assertTrue(report.inDoubt().isEmpty(), where + ": " + report.inDoubt());
        Path nodeDir = LogLayout.nodeDirectory(dir, NODE);
        for (Path f : image.files(nodeDir)) {
            String name = f.getFileName().toString();
            if (LogLayout.incarnationOf(f).orElse(-1) == 1 && !name.endsWith(".lock")) {
                fail(where + ": incarnation 1 has nothing open after the scan but " + f + " is left");
            }
        }
    }
}
