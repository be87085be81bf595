package dev.lockstep.tm.internal.log;

import static dev.lockstep.tm.internal.log.Records.commit;
import static dev.lockstep.tm.internal.log.Records.end;
import static dev.lockstep.tm.internal.log.Records.gtrid;
import static dev.lockstep.tm.internal.log.Records.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.internal.coordinator.DecisionNotRecordedException;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.ForgetRecord;
import dev.lockstep.tm.log.HeuristicOutcome;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.RecordCodec;
import dev.lockstep.tm.log.ReplayResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario: the storage fails under a running log.
 * Resources: none; the log alone, on a {@link FaultyLogStorage}.
 * Faults: a failed write, a failed force, a write torn after k bytes.
 * Expected: the committer whose batch failed gets a LogFailedException (outcome unknown), every later write a
 * DecisionNotRecordedException (nothing of it written), and a restart replays every acknowledged COMMIT and ignores
 * the torn tail. A failed reclamation after a good force fails nobody.
 */
class DecisionLogFaultTest {

    @TempDir
    Path dir;

    @Test
    void aFailedWritePoisonsTheLog() throws Exception {
        FaultyLogStorage storage = new FaultyLogStorage();
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), storage).log()) {
            log.writeCommit(commit(1));
            storage.failWrite(1);
            LogFailedException e = assertThrows(LogFailedException.class, () -> log.writeCommit(commit(2)));
            assertTrue(e.getMessage().startsWith("decision log failed at write of"), e.getMessage());
            assertTrue(e.getMessage().contains("restart the process"), e.getMessage());
            assertEquals("injected failure of write #" + 2, rootMessage(e));
            assertPoisoned(log);
        }
        assertReopenedPending(Set.of(1L));
    }

    @Test
    void aFailedForcePoisonsTheLogAndIsNeverRetried() throws Exception {
        FaultyLogStorage storage = new FaultyLogStorage();
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), storage).log()) {
            log.writeCommit(commit(1));
            storage.failForce();
            LogFailedException e = assertThrows(LogFailedException.class, () -> log.writeCommit(commit(2)));
            assertTrue(e.getMessage().contains("force of"), e.getMessage());
            assertEquals("injected failure of force", rootMessage(e));
            assertPoisoned(log);
        }
    }

    @Test
    void aTornWriteLeavesEveryAcknowledgedCommitReadable() throws Exception {
        FaultyLogStorage storage = new FaultyLogStorage();
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), storage).log()) {
            for (long n = 1; n <= 3; n++) {
                log.writeCommit(commit(n));
            }
            log.writeEnd(end(2));
            storage.tearWrite(1, 30);
            assertThrows(LogFailedException.class, () -> log.writeCommit(commit(4)));
            assertPoisoned(log);
        }
        ReplayResult replay = assertReopenedPending(Set.of(1L, 2L, 3L)); // END(2) was torn too
        assertTrue(replay.tornTail().isPresent(), "the torn END+COMMIT batch is reported as an ignored torn tail");
        // Three batches of MARK + COMMIT, then the torn batch, whose MARK (13 of the 30 bytes written) is intact.
        long expectedOffset = RecordCodec.SEGMENT_HEADER_BYTES + 3L * (RecordCodec.MARK_FRAME_BYTES
                + RecordCodec.frame(commit(1)).length) + RecordCodec.MARK_FRAME_BYTES;
        assertEquals(expectedOffset, replay.tornTail().get().offset());
    }

    /** Later records certainly reach no storage: DecisionNotRecordedException, with the failure as its cause. */
    private static void assertPoisoned(DecisionLog log) {
        for (Executable write : List.<Executable>of(() -> log.writeCommit(commit(10)), () -> log.writeEnd(end(10)),
                () -> log.writeHeuristic(heuristic(10)), () -> log.writeForget(new ForgetRecord(gtrid(10))))) {
            DecisionNotRecordedException e = assertThrows(DecisionNotRecordedException.class, write);
            assertInstanceOf(LogFailedException.class, e.getCause());
            assertTrue(e.getMessage().contains("restart the process"), e.getMessage());
        }
        assertThrows(LogFailedException.class, () -> log.flush(true));
    }

    private static HeuristicRecord heuristic(long n) {
        return new HeuristicRecord(gtrid(n), new byte[] {1}, "postgres-a", HeuristicOutcome.MIXED, 1L);
    }

    /*
     * Scenario: COMMIT/END pairs fill several 64 KiB segments while every delete of a reclaimed segment fails for a
     * while, then deletes work again. The writer is of format version 2, which deletes every reclaimed segment; one
     * of version 3 deletes only what exceeds its few spares, and those deletions go through the same code.
     * Expected: no committer sees an error (their records were forced before reclamation ran); the failures are
     * counted; once deletes work the old segments go, and a restart finds exactly the open decisions.
     */
    @Test
    void aFailedReclamationNeverFailsTheForcedBatch() throws Exception {
        FaultyLogStorage storage = new FaultyLogStorage().skipSync();
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), storage, LogSettings.MIN_SEGMENT_BYTES, null,
                RecordCodec.VERSION_ZEROED).log()) {
            log.writeCommit(commit(-1)); // stays open
            storage.failDeletes(1_000);
            for (long n = 0; n < 3_000; n++) {
                log.writeCommit(commit(n));
                log.writeEnd(end(n));
            }
            LogStats failing = log.stats();
            assertTrue(failing.reclaimFailures() >= 3, failing.toString());
            assertTrue(storage.deletes() < 200, "retries back off: " + storage.deletes() + " deletes tried");
            storage.failDeletes(0);
            for (long n = 3_000; n < 6_000; n++) {
                log.writeCommit(commit(n));
                log.writeEnd(end(n));
            }
            assertTrue(log.stats().segmentFiles() <= 4, log.stats().toString());
            assertTrue(LogFixture.segmentFileCount(dir) <= 4, "old segments deleted once deletes work again");
        }
        assertReopenedPending(Set.of(-1L));
    }

    /*
     * Scenario: a single COMMIT above the 1 MiB record limit.
     * Expected: DecisionNotRecordedException (nothing was written; the caller may presume abort), and the log goes on.
     */
    @Test
    void aRecordThatCannotBeEncodedIsNotRecordedAndTheLogGoesOn() throws Exception {
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()).log()) {
            List<CommitRecord.RecordedBranch> branches = new ArrayList<>();
            String name = "r".repeat(60_000);
            for (int i = 0; i < 20; i++) {
                branches.add(new CommitRecord.RecordedBranch(new byte[] {(byte) i}, name));
            }
            DecisionNotRecordedException e = assertThrows(DecisionNotRecordedException.class,
                    () -> log.writeCommit(new CommitRecord(gtrid(5), 1L, branches)));
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
            log.writeCommit(commit(1));
        }
        assertReopenedPending(Set.of(1L));
    }

    /*
     * Scenario: a first COMMIT's force blocks and then fails; a second COMMIT is appended while the first batch is
     * being forced (so it is not in that batch).
     * Expected: the first committer gets LogFailedException (its record may be durable: outcome unknown); the second
     * gets DecisionNotRecordedException (its record was never written); a write after close too.
     */
    @Test
    void onlyRecordsOutsideTheFailedBatchAreCertainlyNotRecorded() throws Exception {
        CountDownLatch forceEntered = new CountDownLatch(1);
        CountDownLatch failForce = new CountDownLatch(1);
        AtomicBoolean armed = new AtomicBoolean();
        LogStorage storage = new ForwardingLogStorage(new FileLogStorage()) {
            @Override
            public LogChannel createSegment(Path file, byte[] header, long bytes) throws IOException {
                return new ForwardingLogChannel(delegate.createSegment(file, header, bytes)) {
                    @Override
                    public void force() throws IOException {
                        if (armed.get()) {
                            forceEntered.countDown();
                            try {
                                failForce.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            throw new IOException("injected failure of force");
                        }
                        inner.force();
                    }
                };
            }
        };
        DecisionLog log = DecisionLog.open(LogFixture.settings(dir), storage).log();
        try {
            armed.set(true);
            CompletableFuture<Void> first = CompletableFuture.runAsync(() -> write(log, commit(1)));
            assertTrue(forceEntered.await(10, TimeUnit.SECONDS));
            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> write(log, commit(2)));
            Thread.sleep(200); // the second is appended and parked behind the blocked force
            failForce.countDown();
            assertInstanceOf(LogFailedException.class, failureOf(first));
            Throwable notRecorded = failureOf(second);
            assertInstanceOf(DecisionNotRecordedException.class, notRecorded);
            assertInstanceOf(LogFailedException.class, notRecorded.getCause());
        } finally {
            try {
                log.close();
            } catch (IOException expected) {
                // the poisoned log reports its failure on close
            }
        }
        assertThrows(DecisionNotRecordedException.class, () -> log.writeCommit(commit(3)), "closed");
    }

    private static void write(DecisionLog log, CommitRecord record) {
        try {
            log.writeCommit(record);
        } catch (IOException e) {
            throw new CompletionException(e);
        }
    }

    private static Throwable failureOf(CompletableFuture<Void> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return e.getCause();
    }

    private ReplayResult assertReopenedPending(Set<Long> expected) throws IOException {
        OpenedLog reopened = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage());
        try (DecisionLog log = reopened.log()) {
            assertEquals(2, log.incarnation());
            assertEquals(1, reopened.inDoubt().size());
            ReplayResult replay = reopened.inDoubt().get(0).replay();
            assertEquals(expected.size(), replay.pending().size(), replay.pending().toString());
            for (long n : expected) {
                assertEquals(commit(n), replay.pending().get(key(n)).commit());
            }
            return replay;
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        assertInstanceOf(IOException.class, c);
        return c.getMessage();
    }
}
