package dev.lockstep.tm.recovery;

import dev.lockstep.testkit.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.internal.log.DecisionLog;
import dev.lockstep.tm.internal.log.FileLogStorage;
import dev.lockstep.tm.internal.log.LogSettings;
import dev.lockstep.tm.internal.xa.LockstepXid;
import dev.lockstep.tm.internal.xa.XidFactory;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.RecordCodec;
import dev.lockstep.tm.log.LogReader;
import dev.lockstep.testkit.FakeResourceManager.BranchOutcome;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.recovery.InDoubtTransaction.Owner;
import dev.lockstep.tm.recovery.RecoveryAction.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryEngineTest {

    private static final String NODE = "orders-1";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
    private final FakeRecoverableResource pg = new FakeRecoverableResource("pg");
    private final FakeRecoverableResource maria = new FakeRecoverableResource("maria");
    private final List<RecoveryAction> seen = new ArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    /** A log of node NODE that its process leaves behind when it dies: written, then its lock released. */
    private final class DeadIncarnation {
        final DecisionLog log;
        final XidFactory xids;

        DeadIncarnation() throws IOException {
            log = DecisionLog.open(LogSettings.of(dir, NODE), new FileLogStorage()).log();
            xids = new XidFactory(NODE, log.incarnation());
        }

        byte[] newGtrid() {
            return xids.newGtrid(clock.millis(), 60);
        }

        /** A new transaction whose branch i+1 is prepared in {@code rms[i]}. */
        byte[] prepared(FakeRecoverableResource... rms) {
            byte[] gtrid = newGtrid();
            for (int i = 0; i < rms.length; i++) {
                rms[i].prepare(LockstepXid.branch(gtrid, i + 1));
            }
            return gtrid;
        }

        /** {@link #prepared} plus its COMMIT record naming those resources. */
        byte[] decided(FakeRecoverableResource... rms) throws IOException {
            byte[] gtrid = prepared(rms);
            commit(gtrid, java.util.Arrays.stream(rms).map(FakeRecoverableResource::name).toArray(String[]::new));
            return gtrid;
        }

        void commit(byte[] gtrid, String... resources) throws IOException {
            List<CommitRecord.RecordedBranch> branches = new ArrayList<>();
            for (int i = 0; i < resources.length; i++) {
                branches.add(new CommitRecord.RecordedBranch(LockstepXid.branch(gtrid, i + 1).getBranchQualifier(),
                        resources[i]));
            }
            log.writeCommit(new CommitRecord(gtrid, clock.millis(), branches));
        }

        void die() throws IOException {
            log.close();
        }
    }

    private Recovery.Builder builder() {
        return Recovery.builder().logDirectory(dir).nodeId(NODE).resource(pg).resource(maria).clock(clock)
                .listener(seen::add);
    }

    private Recovery recovery() {
        Recovery r = builder().build();
        toClose.add(r);
        return r;
    }

    private Path nodeDir() {
        return dir.resolve(NODE);
    }

    @Test
    void commitsEveryBranchOfADeadIncarnationsDecisionThenEndsAndRetiresItsLog() throws Exception {
        DeadIncarnation dead = new DeadIncarnation();
        byte[] g = dead.decided(pg, maria);
        dead.die();

        ScanReport report = recovery().scan();

        assertEquals(BranchOutcome.COMMITTED, pg.outcome(LockstepXid.branch(g, 1)));
        assertEquals(BranchOutcome.COMMITTED, maria.outcome(LockstepXid.branch(g, 2)));
        assertTrue(report.clean(), report.toString());
        assertEquals(List.of(Kind.RECOVER_SCAN, Kind.RECOVER_SCAN, Kind.TAKE_OVER, Kind.COMMIT, Kind.COMMIT, Kind.END,
                Kind.RETIRE), kinds(report));
        assertEquals(List.of(), LogLayout.incarnations(nodeDir()), "the dead incarnation's files are deleted");
        assertEquals(report.actions(), seen, "the listener sees every action");
    }

    /*
     * Scenario: a listener that records scan starts, actions and scan ends, and a second listener that throws on
     * everything; one scan that commits a dead incarnation's decision, then an inspection.
     * Expected: start, every action, then the finished scan's report, in that order; the inspection tells nothing;
     * the throwing listener does not stop the scan.
     */
    @Test
    void theListenerSeesEachScanStartAndEndAroundItsActions() throws Exception {
        DeadIncarnation dead = new DeadIncarnation();
        dead.decided(pg, maria);
        dead.die();
        List<String> told = new ArrayList<>();
        RecoveryListener recording = new RecoveryListener() {
            @Override
            public void onAction(RecoveryAction action) {
                told.add(action.kind().toString());
            }

            @Override
            public void scanStarted(Instant at) {
                told.add("started at " + at);
            }

            @Override
            public void scanFinished(ScanReport report) {
                told.add("finished, " + report.actions().size() + " actions, " + report.inDoubt().size()
                        + " in doubt");
            }
        };
        Recovery r = builder().listener(recording).build();
        toClose.add(r);
        ScanReport report = r.scan();
        assertTrue(report.clean(), report.toString());
        assertEquals(List.of("started at 2026-11-21T10:00:00Z", "RECOVER_SCAN", "RECOVER_SCAN", "TAKE_OVER",
                "COMMIT", "COMMIT", "END", "RETIRE", "finished, 7 actions, 0 in doubt"), told);
        told.clear();
        r.inspect();
        assertEquals(List.of("RECOVER_SCAN", "RECOVER_SCAN"), told, "an inspection is not a scan");

        RecoveryListener throwing = new RecoveryListener() {
            @Override
            public void onAction(RecoveryAction action) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void scanStarted(Instant at) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void scanFinished(ScanReport report) {
                throw new IllegalStateException("listener bug");
            }
        };
        r.close();
        DeadIncarnation second = new DeadIncarnation();
        byte[] g = second.decided(pg, maria);
        second.die();
        Recovery r2 = builder().listener(throwing).build();
        toClose.add(r2);
        assertTrue(r2.scan().clean());
        assertEquals(BranchOutcome.COMMITTED, pg.outcome(LockstepXid.branch(g, 1)));
    }

    @Test
    void rollsBackABranchWithoutDecisionOfADeadIncarnationAtOnce() throws Exception {
        DeadIncarnation dead = new DeadIncarnation();
        byte[] g = dead.prepared(pg, maria);
        dead.die();

        ScanReport report = recovery().scan();

        assertEquals(BranchOutcome.ROLLED_BACK, pg.outcome(LockstepXid.branch(g, 1)));
        assertEquals(BranchOutcome.ROLLED_BACK, maria.outcome(LockstepXid.branch(g, 2)));
        assertTrue(report.clean(), report.toString());
    }

    @Test
    void leavesOtherTransactionManagersAndOtherNodesAlone() throws Exception {
        DeadIncarnation dead = new DeadIncarnation();
        dead.die();
        Xid other = LockstepXid.branch(new XidFactory("billing-1", 1).newGtrid(clock.millis(), 60), 1);
        Xid narayana = new SimpleXid(131077, new byte[] {1, 2, 3}, new byte[] {4});
        pg.listForeign(other);
        pg.listForeign(narayana);

        ScanReport report = recovery().scan();

        assertEquals(List.of("recover"), pg.calls(), "no phase-two call on anything that is not ours");
        assertEquals(2, report.resources().get(0).foreignBranches());
        assertTrue(report.clean());
    }

    @Test
    void aLiveOwnersBranchWithoutDecisionWaitsForItsDeadlinePlusTheSafetyInterval() throws Exception {
        Lockstep live = Lockstep.builder().nodeId(NODE).logDirectory(dir).clock(clock).build();
        toClose.add(live);
        byte[] g = new XidFactory(NODE, live.incarnation()).newGtrid(clock.millis(), 10);
        pg.prepare(LockstepXid.branch(g, 1));
        Recovery recovery = builder().orphanSafetyInterval(Duration.ofSeconds(30)).build();
        toClose.add(recovery);

        ScanReport early = recovery.scan();
        clock.advance(Duration.ofSeconds(39));
        ScanReport stillEarly = recovery.scan();
        assertEquals(BranchOutcome.PREPARED, pg.outcome(LockstepXid.branch(g, 1)));
        assertEquals(Owner.ALIVE, early.inDoubt().get(0).owner());
        assertTrue(early.inDoubt().get(0).waitingFor().contains("presumed abort after"), early.toString());
        assertFalse(stillEarly.clean());

        clock.advance(Duration.ofSeconds(2));
        ScanReport late = recovery.scan();
        assertEquals(BranchOutcome.ROLLED_BACK, pg.outcome(LockstepXid.branch(g, 1)));
        assertTrue(late.clean(), late.toString());
    }

    @Test
    void aLiveOwnersCommitDecisionIsLeftToItsPhaseTwoForTheSafetyIntervalThenCommitted() throws Exception {
        DecisionLog live = DecisionLog.open(LogSettings.of(dir, NODE), new FileLogStorage()).log();
        toClose.add(live);
        byte[] g = new XidFactory(NODE, live.incarnation()).newGtrid(clock.millis(), 60);
        pg.prepare(LockstepXid.branch(g, 1));
        live.writeCommit(new CommitRecord(g, clock.millis(), List.of(new CommitRecord.RecordedBranch(
                LockstepXid.branch(g, 1).getBranchQualifier(), "pg"))));
        Recovery recovery = recovery();

        recovery.scan();
        assertEquals(BranchOutcome.PREPARED, pg.outcome(LockstepXid.branch(g, 1)));

        clock.advance(Duration.ofSeconds(31));
        ScanReport report = recovery.scan();
        assertEquals(BranchOutcome.COMMITTED, pg.outcome(LockstepXid.branch(g, 1)));
        assertFalse(kinds(report).contains(Kind.END), "a live owner's log is never written by recovery");
        assertFalse(kinds(report).contains(Kind.TAKE_OVER));
    }

    @Test
    void aRollbackAnsweredNotFoundWhileRecoverListsTheBranchIsNotDone() throws Exception {
        DeadIncarnation dead = new DeadIncarnation();
        byte[] g = dead.prepared(pg);
        dead.die();
        pg.failRollback(XAException.XAER_NOTA); // MariaDB: the branch is still held by the owner's session
        Recovery recovery = recovery();

        ScanReport first = recovery.scan();
        assertFalse(first.clean(), "XAER_NOTA for a listed branch proves nothing");
        assertTrue(first.actions().stream().anyMatch(a -> a.kind() == Kind.ROLLBACK && !a.ok()));
        assertTrue(first.inDoubt().get(0).waitingFor().contains("XAER_NOTA"), first.toString());

        ScanReport second = recovery.scan();
        assertEquals(BranchOutcome.ROLLED_BACK, pg.outcome(LockstepXid.branch(g, 1)));
        assertTrue(second.clean(), second.toString());
    }

    @Test
    void anUnreachableResourceBacksOffWhileTheOthersAreFinishedAndTheDecisionWaitsForIt() throws Exception {
        DeadIncarnation dead = new DeadIncarnation();
        byte[] g = dead.decided(pg, maria);
        dead.die();
        maria.down(true);
        Recovery recovery = builder().retryInitialDelay(Duration.ofSeconds(2)).retryMaxDelay(Duration.ofSeconds(8))
                .build();
        toClose.add(recovery);

        ScanReport first = recovery.scan();
        assertEquals(BranchOutcome.COMMITTED, pg.outcome(LockstepXid.branch(g, 1)));
        assertFalse(first.clean());
        assertFalse(first.resources().get(1).reachable());
        assertEquals(1, first.inDoubt().size());
        assertTrue(first.inDoubt().get(0).waitingFor().contains("'maria' is unreachable"), first.toString());
        assertEquals(1, LogLayout.incarnations(nodeDir()).size(), "the decision stays in the log");

        ScanReport skipped = recovery.scan();
        assertTrue(skipped.resources().get(1).skipped(), "within the backoff the resource is not tried");
        assertEquals(1, maria.connects());

        maria.down(false);
        clock.advance(Duration.ofSeconds(3));
        ScanReport last = recovery.scan();
        assertEquals(BranchOutcome.COMMITTED, maria.outcome(LockstepXid.branch(g, 2)));
        assertTrue(last.clean(), last.toString());
        assertEquals(List.of(), LogLayout.incarnations(nodeDir()));
    }

    @Test
    void notFoundOnACommitIsNotDoneUntilRecoverNoLongerListsTheBranch() throws Exception {
        DeadIncarnation dead = new DeadIncarnation();
        byte[] g = dead.decided(pg);
        dead.die();
        pg.notaOnCommit(true);
        Recovery recovery = recovery();

        ScanReport first = recovery.scan();
        assertFalse(kinds(first).contains(Kind.END), "XAER_NOTA is not proof (invariant 6)");
        assertFalse(first.clean());

        pg.settle(LockstepXid.branch(g, 1), BranchOutcome.COMMITTED); // another session finished it meanwhile
        ScanReport second = recovery.scan();
        assertTrue(kinds(second).contains(Kind.END));
        assertTrue(second.clean(), second.toString());
    }

    @Test
    void aHeuristicIsRecordedKeptAndReportedUntilAnOperatorResolvesIt() throws Exception {
        DeadIncarnation dead = new DeadIncarnation();
        byte[] g = dead.decided(pg, maria);
        dead.die();
        pg.failCommit(XAException.XA_HEURRB);
        Recovery recovery = recovery();

        ScanReport first = recovery.scan();
        assertTrue(kinds(first).contains(Kind.HEURISTIC));
        assertEquals(BranchOutcome.COMMITTED, maria.outcome(LockstepXid.branch(g, 2)));
        assertEquals(BranchOutcome.ROLLED_BACK, pg.outcome(LockstepXid.branch(g, 1)), "recorded, then forgotten at the RM");
        ScanReport second = recovery.scan();
        assertFalse(second.clean(), "kept until an operator resolves it");
        InDoubtTransaction tx = second.inDoubt().get(0);
        assertEquals(1, tx.heuristics().size());
        assertEquals("ROLLBACK", tx.heuristics().get(0).outcome().name());

        List<RecoveryAction> resolved = recovery.resolve(tx.gtrid(), Verdict.COMMIT);
        assertTrue(resolved.stream().anyMatch(a -> a.kind() == Kind.FORGET && a.ok()), resolved.toString());
        assertTrue(recovery.scan().clean());
        assertEquals(List.of(), LogLayout.incarnations(nodeDir()));
    }

    @Test
    void aHeuristicOfADeadLogSurvivesARestartOfRecovery() throws Exception {
        DeadIncarnation dead = new DeadIncarnation();
        byte[] g = dead.decided(pg);
        dead.die();
        pg.failCommit(XAException.XA_HEURHAZ);
        try (Recovery first = builder().build()) {
            first.scan();
        }
        ScanReport again = recovery().scan();
        assertFalse(again.clean());
        assertEquals("HAZARD", again.inDoubt().get(0).heuristics().get(0).outcome().name());
    }

    @Test
    void aCorruptLogStopsRecoveryOfItsTransactionsAndNamesFileAndOffset() throws Exception {
        DeadIncarnation dead = new DeadIncarnation();
        byte[] g1 = dead.decided(pg);
        byte[] g2 = dead.decided(pg);
        dead.die();
        Path segment = LogLayout.segments(nodeDir(), dead.log.incarnation()).get(0);
        int firstRecord = RecordCodec.SEGMENT_HEADER_BYTES + RecordCodec.MARK_FRAME_BYTES; // after its batch's MARK
        flipByte(segment, firstRecord + 8 + 5); // inside the first record; the second one's batch (MARK) after it

        ScanReport report = recovery().scan();

        assertEquals(BranchOutcome.PREPARED, pg.outcome(LockstepXid.branch(g1, 1)), "nothing is guessed");
        assertEquals(BranchOutcome.PREPARED, pg.outcome(LockstepXid.branch(g2, 1)));
        assertEquals(1, report.logProblems().size());
        String problem = report.logProblems().get(0);
        assertTrue(problem.contains(segment.toString()) && problem.contains("offset " + firstRecord), problem);
        assertTrue(problem.startsWith(TmMessage.CORRUPT_LOG + " "), problem);
        assertFalse(report.clean());
    }

    @Test
    void aTornTailIsIgnoredAndRepairedBeforeRecoveryAppendsToTheLog() throws Exception {
        DeadIncarnation dead = new DeadIncarnation();
        byte[] g1 = dead.decided(pg, maria);
        byte[] g2 = dead.newGtrid();
        dead.die();
        Path segment = LogLayout.segments(nodeDir(), dead.log.incarnation()).get(0);
        appendGarbageAfterRecords(segment);
        maria.down(true);
        pg.prepare(LockstepXid.branch(g2, 1));

        try (Recovery first = builder().build()) {
            ScanReport report = first.scan();
            assertTrue(report.logProblems().isEmpty(), report.toString());
            assertEquals(BranchOutcome.COMMITTED, pg.outcome(LockstepXid.branch(g1, 1)));
            assertEquals(BranchOutcome.ROLLED_BACK, pg.outcome(LockstepXid.branch(g2, 1)));
        }
        // The decision is still open (maria was down): the log, with the repaired tear and recovery's own segment
        // after it, must read cleanly.
        assertTrue(LogReader.replay(nodeDir(), dead.log.incarnation()).tornTail().isEmpty());
        maria.down(false);
        ScanReport report = recovery().scan();
        assertEquals(BranchOutcome.COMMITTED, maria.outcome(LockstepXid.branch(g1, 2)));
        assertTrue(report.clean(), report.toString());
    }

    @Test
    void aSecondRecoveryOnTheSameNodeIsRefusedButAReadOnlyOneMayLook() throws Exception {
        recovery();
        RecoveryLockedException e = assertThrows(RecoveryLockedException.class, () -> builder().build());
        assertTrue(e.getMessage().contains("another recovery already works on the logs of node 'orders-1'"));
        try (Recovery ro = builder().readOnly(true).build()) {
            assertTrue(ro.inspect().clean());
            assertThrows(IllegalStateException.class, ro::scan);
        }
    }

    @Test
    void inspectChangesNothingAndSaysWhatAScanWouldDo() throws Exception {
        DeadIncarnation dead = new DeadIncarnation();
        byte[] g = dead.decided(pg);
        byte[] g2 = dead.prepared(maria);
        dead.die();

        try (Recovery ro = builder().readOnly(true).build()) {
            ScanReport report = ro.inspect();
            assertEquals(BranchOutcome.PREPARED, pg.outcome(LockstepXid.branch(g, 1)));
            assertEquals(2, report.inDoubt().size());
            assertEquals(InDoubtTransaction.Decision.COMMIT, report.inDoubt().get(0).decision());
            assertTrue(report.inDoubt().get(0).waitingFor().contains("next scan commits it"));
            assertTrue(report.inDoubt().get(1).waitingFor().contains("rolls it back"));
        }
        assertEquals(1, LogLayout.incarnations(nodeDir()).size());
    }

    @Test
    void aRetiredIncarnationsBranchIsRolledBackAndANodeWithoutLogIsNotTouched() throws Exception {
        DeadIncarnation dead = new DeadIncarnation();
        byte[] g = dead.newGtrid();
        dead.die();
        // The next start retires the empty incarnation; its prepared branch (crash point C2/C3) remains.
        DecisionLog.open(LogSettings.of(dir, NODE), new FileLogStorage()).log().close();
        pg.prepare(LockstepXid.branch(g, 1));
        byte[] stranger = new XidFactory("billing-1", 7).newGtrid(clock.millis(), 60);
        maria.prepare(LockstepXid.branch(stranger, 1));

        try (Recovery r = builder().nodeId("billing-1").build()) {
            ScanReport report = r.scan();
            assertEquals(BranchOutcome.ROLLED_BACK, pg.outcome(LockstepXid.branch(g, 1)));
            assertEquals(BranchOutcome.PREPARED, maria.outcome(LockstepXid.branch(stranger, 1)));
            assertTrue(report.logProblems().get(0).contains("no log"), report.logProblems().toString());
            assertTrue(report.logProblems().get(0).startsWith(TmMessage.LOG_MISSING + " "),
                    report.logProblems().toString());
        }
    }

    @Test
    void resolveRefusesWhatWouldBreakAtomicityOrBelongsToALiveOwner() throws Exception {
        DeadIncarnation dead = new DeadIncarnation();
        byte[] g = dead.decided(pg);
        dead.die();
        Lockstep live = Lockstep.builder().nodeId(NODE).logDirectory(dir).clock(clock).build();
        toClose.add(live);
        byte[] liveG = new XidFactory(NODE, live.incarnation()).newGtrid(clock.millis(), 60);
        pg.prepare(LockstepXid.branch(liveG, 1));
        Recovery recovery = recovery();

        ResolveRefusedException commitDecided = assertThrows(ResolveRefusedException.class,
                () -> recovery.resolve(hex(g), Verdict.ROLLBACK));
        assertTrue(commitDecided.getMessage().contains("durable COMMIT decision"));
        assertEquals(TmMessage.RESOLVE_ROLLBACK_OF_COMMIT, commitDecided.reason());
        assertTrue(commitDecided.getMessage().startsWith(TmMessage.RESOLVE_ROLLBACK_OF_COMMIT + " "));
        ResolveRefusedException alive = assertThrows(ResolveRefusedException.class,
                () -> recovery.resolve(hex(liveG), Verdict.ROLLBACK));
        assertTrue(alive.getMessage().contains("alive"), alive.getMessage());
        assertEquals(TmMessage.RESOLVE_OWNER_ALIVE, alive.reason());
        assertEquals(TmMessage.RESOLVE_NOT_A_GTRID,
                assertThrows(ResolveRefusedException.class, () -> recovery.resolve("zz", Verdict.COMMIT)).reason());
        assertEquals(TmMessage.RESOLVE_FOREIGN_GTRID,
                assertThrows(ResolveRefusedException.class, () -> recovery.resolve("0102", Verdict.COMMIT)).reason());
        assertEquals(BranchOutcome.PREPARED, pg.outcome(LockstepXid.branch(g, 1)));
    }

    @Test
    void resolveCommitRecordsTheOperatorsDecisionBeforeCommitting() throws Exception {
        DeadIncarnation dead = new DeadIncarnation();
        byte[] g = dead.prepared(pg, maria);
        dead.die();
        maria.failCommit(XAException.XAER_RMFAIL);
        Recovery recovery = recovery();

        List<RecoveryAction> actions = recovery.resolve(hex(g), Verdict.COMMIT);

        assertEquals(Kind.DECIDE, actions.stream().filter(a -> a.kind() != Kind.RECOVER_SCAN
                && a.kind() != Kind.TAKE_OVER).findFirst().orElseThrow().kind());
        assertEquals(BranchOutcome.COMMITTED, pg.outcome(LockstepXid.branch(g, 1)));
        assertEquals(BranchOutcome.PREPARED, maria.outcome(LockstepXid.branch(g, 2)));
        // The operator's COMMIT is durable: a later scan finishes it rather than presuming abort.
        ScanReport next = recovery.scan();
        assertEquals(BranchOutcome.COMMITTED, maria.outcome(LockstepXid.branch(g, 2)));
        assertTrue(next.clean(), next.toString());
    }

    @Test
    void aNodeRestartedAfterRecoveryFindsNothingPending() throws Exception {
        DeadIncarnation dead = new DeadIncarnation();
        byte[] g = dead.decided(pg);
        dead.log.writeEnd(new EndRecord(g));
        byte[] g2 = dead.decided(pg);
        dead.die();
        recovery().scan();
        try (Lockstep next = Lockstep.builder().nodeId(NODE).logDirectory(dir).build()) {
            assertEquals(List.of(), next.pendingDecisionsAtStart());
        }
    }

    private static List<Kind> kinds(ScanReport r) {
        return r.actions().stream().map(RecoveryAction::kind).toList();
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
            ch.write(b, offset);
        }
    }

    /** Writes a half frame (a plausible length, then too few bytes) right after the last record. */
    private static void appendGarbageAfterRecords(Path segment) throws IOException {
        byte[] data = Files.readAllBytes(segment);
        int pos = 24;
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
    }

    private record SimpleXid(int getFormatId, byte[] getGlobalTransactionId, byte[] getBranchQualifier)
            implements Xid {
    }
}
