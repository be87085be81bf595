package dev.lockstep.tm.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.MutableClock;
import dev.lockstep.tm.internal.log.DecisionLog;
import dev.lockstep.tm.internal.log.FileLogStorage;
import dev.lockstep.tm.internal.log.LogSettings;
import dev.lockstep.tm.internal.xa.LockstepXid;
import dev.lockstep.tm.internal.xa.XidFactory;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogManifest;
import dev.lockstep.tm.log.RecordCodec;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.recovery.InDoubtTransaction.Decision;
import dev.lockstep.tm.recovery.InDoubtTransaction.Owner;
import dev.lockstep.tm.recovery.LogFinding.FindingKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a report says beyond what is in doubt, as fields: a live owner's open decision that no resource lists, an
 * ignored torn tail, a corrupt log's file and offset, a configured node without any log.
 */
class ScanReportFindingsTest {

    private static final String NODE = "orders-1";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
    private final FakeRecoverableResource pg = new FakeRecoverableResource("pg");

    private Recovery.Builder builder() {
        return Recovery.builder().logDirectory(dir).nodeId(NODE).resource(pg).clock(clock);
    }

    /** Opens the node's log (its lock held: the owner is alive) and writes a COMMIT naming a branch in pg. */
    private DecisionLog liveLogWithADecision(boolean prepareTheBranch) throws IOException {
        DecisionLog log = DecisionLog.open(LogSettings.of(dir, NODE), new FileLogStorage()).log();
        byte[] gtrid = new XidFactory(NODE, log.incarnation()).newGtrid(clock.millis(), 60);
        if (prepareTheBranch) {
            pg.prepare(LockstepXid.branch(gtrid, 1));
        }
        log.writeCommit(new CommitRecord(gtrid, clock.millis(), List.of(new CommitRecord.RecordedBranch(
                LockstepXid.branch(gtrid, 1).getBranchQualifier(), "pg"))));
        return log;
    }

    @Test
    void aLiveOwnersOpenDecisionThatNoResourceListsIsReportedButNotInDoubt() throws Exception {
        try (DecisionLog live = liveLogWithADecision(false);
                Recovery ro = builder().readOnly(true).build()) {
            ScanReport report = ro.inspect();
            assertEquals(List.of(), report.inDoubt(), "its owner finishes it: not in doubt");
            assertEquals(1, report.liveDecisions().size(), report.toString());
            InDoubtTransaction tx = report.liveDecisions().get(0);
            assertEquals(Owner.ALIVE, tx.owner());
            assertEquals(Decision.COMMIT, tx.decision());
            assertEquals(InDoubtTransaction.State.FINISHED, tx.branches().get(0).state());
            assertTrue(tx.waitingFor().contains("owner is alive"), tx.waitingFor());
            assertTrue(report.clean(), "a live owner's decision at work is not a problem: " + report);
        }
    }

    @Test
    void aLiveOwnersDecisionWithAListedBranchIsInDoubtAndNotListedTwice() throws Exception {
        try (DecisionLog live = liveLogWithADecision(true);
                Recovery ro = builder().readOnly(true).build()) {
            ScanReport report = ro.inspect();
            assertEquals(1, report.inDoubt().size(), report.toString());
            assertEquals(List.of(), report.liveDecisions());
        }
    }

    @Test
    void aCorruptLogIsAFindingWithItsFileAndOffset() throws Exception {
        DecisionLog dead = liveLogWithADecision(true);
        byte[] second = new XidFactory(NODE, dead.incarnation()).newGtrid(clock.millis(), 60);
        dead.writeCommit(new CommitRecord(second, clock.millis(), List.of(new CommitRecord.RecordedBranch(
                LockstepXid.branch(second, 1).getBranchQualifier(), "pg"))));
        dead.close();
        Path segment = LogLayout.segments(dir.resolve(NODE), dead.incarnation()).get(0);
        int firstRecord = RecordCodec.SEGMENT_HEADER_BYTES + RecordCodec.MARK_FRAME_BYTES;
        flipByte(segment, firstRecord + 8 + 5);

        try (Recovery ro = builder().readOnly(true).build()) {
            ScanReport report = ro.inspect();
            LogFinding f = only(report, FindingKind.CORRUPT);
            assertEquals(NODE, f.nodeId());
            assertEquals(dead.incarnation(), f.incarnation());
            assertEquals(segment, f.file());
            assertEquals(firstRecord, f.offset());
            assertEquals(TmMessage.CORRUPT_LOG.id(), f.id());
            assertTrue(f.problem());
            assertEquals(List.of(f.detail()), report.logProblems(), "the text of the problem is the same");
            assertFalse(report.clean());
        }
    }

    @Test
    void anIgnoredTornTailIsAFindingWhetherReadOrRepaired() throws Exception {
        DecisionLog dead = liveLogWithADecision(true);
        dead.close();
        Path segment = LogLayout.segments(dir.resolve(NODE), dead.incarnation()).get(0);
        // A process that dies in a write leaves its segment open (a clean close seals it).
        Files.write(dir.resolve(NODE).resolve(LogLayout.manifestFileName(dead.incarnation())), new LogManifest(
                dead.incarnation(), false, List.of(LogManifest.Segment.open(1))).encode());
        long tail = appendHalfAFrameAfterTheRecords(segment);

        try (Recovery ro = builder().readOnly(true).build()) {
            ScanReport report = ro.inspect();
            LogFinding f = only(report, FindingKind.TORN_TAIL);
            assertEquals(segment, f.file());
            assertEquals(tail, f.offset());
            assertNull(f.id(), "nothing to act on");
            assertFalse(f.problem());
            assertTrue(f.detail().contains("read without repair"), f.detail());
            assertEquals(List.of(), report.logProblems());
        }
        try (Recovery r = builder().build()) {
            LogFinding f = only(r.scan(), FindingKind.TORN_TAIL);
            assertEquals(tail, f.offset());
            assertTrue(f.detail().contains("repaired by the take-over"), f.detail());
        }
    }

    @Test
    void aConfiguredNodeWithoutAnyLogIsAFindingButNotAProblem() throws Exception {
        try (Recovery ro = builder().nodeId("billing-1").readOnly(true).build()) {
            ScanReport report = ro.inspect();
            assertEquals(java.util.Set.of(NODE, "billing-1"), java.util.Set.copyOf(report.nodesWithoutLog()));
            LogFinding f = report.logFindings().stream().filter(x -> x.nodeId().equals(NODE)).findFirst().orElseThrow();
            assertEquals(FindingKind.NO_LOG, f.kind());
            assertEquals(TmMessage.NODE_WITHOUT_LOG.id(), f.id());
            assertTrue(f.detail().startsWith(TmMessage.NODE_WITHOUT_LOG + " node 'orders-1' has no log in "),
                    f.detail());
            assertTrue(report.clean(), "a service set up before its nodes ever ran is not in trouble: " + report);
        }
        try (DecisionLog live = DecisionLog.open(LogSettings.of(dir, NODE), new FileLogStorage()).log();
                Recovery ro = builder().readOnly(true).build()) {
            assertEquals(List.of(), ro.inspect().nodesWithoutLog(), "once it ran, it has a log");
        }
    }

    private static LogFinding only(ScanReport report, FindingKind kind) {
        List<LogFinding> found = report.logFindings().stream().filter(f -> f.kind() == kind).toList();
        assertEquals(1, found.size(), report.logFindings().toString());
        return found.get(0);
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
            ch.write(b, offset);
        }
    }

    /** Writes a frame header promising more bytes than follow, right after the last frame; returns its offset. */
    private static long appendHalfAFrameAfterTheRecords(Path segment) throws IOException {
        byte[] data = Files.readAllBytes(segment);
        int pos = RecordCodec.SEGMENT_HEADER_BYTES;
        while (pos + 8 <= data.length) {
            int len = ByteBuffer.wrap(data, pos, 4).getInt();
            if (len == 0) {
                break;
            }
            pos += 8 + len;
        }
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 40, 1, 2, 3, 4, 1, 9, 9}), pos);
        }
        return pos;
    }
}
