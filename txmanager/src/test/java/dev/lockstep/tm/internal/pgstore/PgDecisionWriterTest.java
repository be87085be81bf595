package dev.lockstep.tm.internal.pgstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.internal.coordinator.DecisionNotRecordedException;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.spi.CrashPoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a committer learns from the database store for every way its batch's statement can end: the three answers the
 * coordinator distinguishes (durable; certainly not recorded, so it may presume abort; unknown, so every branch is
 * left to recovery). A wrong reading here is a mixed outcome, so each way is scripted, not hoped for.
 */
class PgDecisionWriterTest {

    private static final AtomicLong SEQ = new AtomicLong();

    private final FakeJdbc db = new FakeJdbc();
    private final List<String> lost = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final PgDecisionWriter writer = new PgDecisionWriter(db, new PgSql("ls"), new PgLease(7, 1, "me"),
            Duration.ofMillis(300), "n1", lost::add);

    @AfterEach
    void close() {
        writer.close();
    }

    private static CommitRecord commit() {
        byte[] gtrid = ByteBuffer.allocate(8).putLong(SEQ.incrementAndGet()).array();
        return new CommitRecord(gtrid, 1L, List.of(new CommitRecord.RecordedBranch(new byte[] {1}, "db")));
    }

    @Test
    void aWrittenBatchReturnsNormally() throws IOException {
        writer.recordCommit(commit());
        assertEquals(1, db.rowsInserted.get());
        assertEquals(1, writer.batches());
    }

    @Test
    void aFencedBatchIsCertainlyNotRecordedAndSaysWhoTookTheLease() {
        db.insert = rows -> 0;
        db.epochInDatabase = 2;
        DecisionNotRecordedException e = assertThrows(DecisionNotRecordedException.class,
                () -> writer.recordCommit(commit()));
        assertTrue(e.getMessage().contains("LKS-043") && e.getMessage().contains("taken over by taker")
                && e.getMessage().contains("epoch 1 -> 2"), e.getMessage());
    }

    @Test
    void aStatementTheServerRefusedIsCertainlyNotRecorded() {
        db.insert = rows -> {
            throw new SQLException("could not serialize access", "40001");
        };
        assertThrows(DecisionNotRecordedException.class, () -> writer.recordCommit(commit()));
    }

    /**
     * Scenario: the connection breaks during the statement (the decision database fails over). The writer bumps its own
     * epoch on a new connection and reads the batch's rows back, so the committer gets a definite answer instead of
     * leaving its branches prepared, holding their locks, in a live node that no recovery takes over.
     */
    @Test
    void aBrokenConnectionIsSettledAndTheRecordedBatchReturnsNormally() throws IOException {
        db.insert = rows -> {
            throw new SQLException("An I/O error occurred", "08006");
        };
        db.commitRows = 1;
        writer.recordCommit(commit());
        assertEquals(1, db.refences.get());
        assertEquals(2, writer.lease().epoch(), "the writer fences with its new epoch from now on");
        db.insert = rows -> rows;
        writer.recordCommit(commit());
        assertEquals(1, db.rowsInserted.get());
    }

    @Test
    void aBrokenConnectionWhoseBatchIsNotInTheStoreIsCertainlyNotRecorded() {
        db.insert = rows -> {
            throw new SQLException("An I/O error occurred", "08006");
        };
        db.commitRows = 0;
        DecisionNotRecordedException e = assertThrows(DecisionNotRecordedException.class,
                () -> writer.recordCommit(commit()));
        assertTrue(e.getMessage().contains("LKS-047") && e.getMessage().contains("epoch 2"), e.getMessage());
        assertEquals(List.of(), lost);
    }

    @Test
    void aBrokenConnectionThatCannotBeSettledLeavesTheOutcomeUnknown() {
        for (SQLException broken : List.of(new SQLException("An I/O error occurred", "08006"),
                new SQLException("no state"), new SQLTransientConnectionException("reset", "57P01"))) {
            db.getConnectionFailure = null;
            db.insert = rows -> {
                db.getConnectionFailure = new SQLException("connection refused", "08001");
                throw broken;
            };
            IOException e = assertThrows(IOException.class, () -> writer.recordCommit(commit()));
            assertFalse(e instanceof DecisionNotRecordedException, "a broken connection may have committed: " + e);
            assertTrue(e.getMessage().contains("may or may not be recorded")
                    && e.getMessage().contains("could not be settled within 300 ms"), e.getMessage());
        }
    }

    @Test
    void aBrokenConnectionWhoseLeaseWasTakenMeanwhileIsUnknownAndTheLeaseLost() {
        db.insert = rows -> {
            throw new SQLException("An I/O error occurred", "08006");
        };
        db.leaseHeld = false;
        db.epochInDatabase = 2;
        IOException e = assertThrows(IOException.class, () -> writer.recordCommit(commit()));
        assertFalse(e instanceof DecisionNotRecordedException, "the taker decides from what the store holds: " + e);
        assertTrue(e.getMessage().contains("taken over by taker"), e.getMessage());
        assertEquals(1, lost.size(), "the node learns that it can no longer decide");
    }

    /**
     * Scenario: the connection breaks while a batch of END records is written (the decision database fails over).
     * Expected: the ENDs are written at a later flush, so the table still empties and a clean stop can retire the
     * incarnation, instead of leaving finished decisions behind for a recovery to look at.
     */
    @Test
    void endsWhoseConnectionBrokeAreWrittenAtALaterFlush() throws Exception {
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        db.end = rows -> {
            if (attempts.incrementAndGet() == 1) {
                throw new SQLException("An I/O error occurred", "08006");
            }
            return rows;
        };
        for (int i = 0; i < 3; i++) {
            writer.recordEnd(commit().gtrid());
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (attempts.get() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(2, attempts.get(), "one broken batch, then the same ENDs again");
        assertEquals(3, db.endsWritten.get(), "the three ENDs, written at the second try");
    }

    @Test
    void noConnectionMeansNothingWasSent() {
        db.getConnectionFailure = new SQLException("connection refused", "08001");
        assertInstanceOf(DecisionNotRecordedException.class,
                assertThrows(IOException.class, () -> writer.recordCommit(commit())));
    }

    @Test
    void aBrokenConnectionIsReplacedForTheNextBatch() throws IOException {
        db.insert = rows -> {
            throw new SQLException("An I/O error occurred", "08006");
        };
        assertThrows(IOException.class, () -> writer.recordCommit(commit()));
        db.insert = rows -> rows;
        writer.recordCommit(commit());
        assertEquals(2, db.connections.get());
    }

    @Test
    void concurrentCommitsShareStatements() throws Exception {
        db.insert = rows -> {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return rows;
        };
        int threads = 16;
        int each = 20;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> runs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            runs.add(pool.submit(() -> {
                for (int i = 0; i < each; i++) {
                    writer.recordCommit(commit());
                }
                return null;
            }));
        }
        for (Future<?> f : runs) {
            f.get();
        }
        pool.shutdown();
        assertEquals(threads * each, db.rowsInserted.get());
        assertTrue(db.inserts.get() < threads * each / 2, db.inserts.get() + " statements for "
                + threads * each + " records");
    }

    @Test
    void aLoneCommitterWritesItsOwnStatementWithoutAHandOff() throws IOException {
        List<Thread> ranOn = new ArrayList<>();
        db.insert = rows -> {
            ranOn.add(Thread.currentThread());
            return rows;
        };
        writer.recordCommit(commit());
        writer.recordCommit(commit());
        assertEquals(List.of(Thread.currentThread(), Thread.currentThread()), ranOn);
    }

    @Test
    void committersArrivingDuringALoneStatementShareTheWritersNextOne() throws Exception {
        CountDownLatch inStatement = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        List<Integer> statementRows = new CopyOnWriteArrayList<>();
        db.insert = rows -> {
            statementRows.add(rows);
            if (statementRows.size() == 1) {
                inStatement.countDown();
                awaitUninterruptibly(finish);
            }
            return rows;
        };
        ExecutorService pool = Executors.newFixedThreadPool(4);
        Future<?> lone = pool.submit(() -> {
            writer.recordCommit(commit());
            return null;
        });
        inStatement.await();
        List<Future<?>> later = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            later.add(pool.submit(() -> {
                writer.recordCommit(commit());
                return null;
            }));
        }
        while (writer.waitingForWriter() < 3) { // the three queue behind the lone statement: the statement lock is held
            Thread.sleep(5);
        }
        finish.countDown();
        lone.get();
        for (Future<?> f : later) {
            f.get();
        }
        pool.shutdown();
        assertEquals(4, db.rowsInserted.get());
        assertEquals(List.of(1, 3), statementRows, "the three that came during the lone statement share one");
    }

    @Test
    void anInterruptedCommitterWritesItsDecisionWithTheFlagClearAndKeepsIt() throws Exception {
        boolean[] flagDuringStatement = new boolean[1];
        db.insert = rows -> {
            flagDuringStatement[0] = Thread.currentThread().isInterrupted();
            return rows;
        };
        Thread.currentThread().interrupt();
        try {
            writer.recordCommit(commit());
            assertFalse(flagDuringStatement[0], "neither the pool nor the driver may see the interrupt");
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is set again on the way out");
        } finally {
            Thread.interrupted();
        }
        assertEquals(1, db.rowsInserted.get());
    }

    @Test
    void anInterruptDuringTheStatementAbandonsNothing() throws Exception {
        CountDownLatch inStatement = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        db.insert = rows -> {
            inStatement.countDown();
            awaitUninterruptibly(finish); // as PostgreSQL's driver blocked in a socket read
            return rows;
        };
        boolean[] result = new boolean[2];
        Thread committer = new Thread(() -> {
            try {
                writer.recordCommit(commit());
                result[0] = true;
            } catch (IOException e) {
                result[0] = false;
            }
            result[1] = Thread.currentThread().isInterrupted();
        });
        committer.start();
        inStatement.await();
        committer.interrupt();
        Thread.sleep(50);
        assertTrue(committer.isAlive(), "a decision in flight cannot be abandoned");
        finish.countDown();
        committer.join(5_000);
        assertTrue(result[0], "the COMMIT was written and the committer told so");
        assertTrue(result[1], "the interrupt is set again on the way out");
    }

    /**
     * C7 of the database store: the batch is committed in the database and its committer not yet told. A crash test
     * halts the JVM in the hook, so the decision is durable and the application never saw it; the hook must not run
     * for a batch the fence refused (nothing durable) nor for END batches (they decide nothing).
     */
    @Test
    void crashPointC7IsRaisedAfterTheBatchCommittedAndBeforeItsCommitterIsTold() throws Exception {
        CountDownLatch inHook = new CountDownLatch(1);
        CountDownLatch leaveHook = new CountDownLatch(1);
        List<String> seen = new ArrayList<>();
        CrashPoint.Hook hook = point -> {
            seen.add(point + " rows=" + db.rowsInserted.get());
            inHook.countDown();
            try {
                leaveHook.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (PgDecisionWriter hooked = new PgDecisionWriter(db, new PgSql("ls"), new PgLease(7, 1, "me"),
                Duration.ofMillis(300), "n2", reason -> { }, hook)) {
            ExecutorService committer = Executors.newSingleThreadExecutor();
            Future<?> commit = committer.submit(() -> {
                hooked.recordCommit(commit());
                return null;
            });
            assertTrue(inHook.await(5, TimeUnit.SECONDS), "C7 raised once the statement committed");
            Thread.sleep(50);
            assertFalse(commit.isDone(), "the committer is told only after the hook returned");
            leaveHook.countDown();
            commit.get(5, TimeUnit.SECONDS);
            assertEquals(List.of("C7_MID_RECORD rows=1"), seen, "raised once, with the batch committed");

            hooked.recordEnd(commit().key().bytes());
            db.insert = rows -> 0;
            assertThrows(DecisionNotRecordedException.class, () -> hooked.recordCommit(commit()));
            committer.shutdown();
        }
        assertEquals(1, seen.size(), "neither a fenced batch nor an END batch raises C7: " + seen);
    }

    @Test
    void aQueuedCommitterInterruptedWhileTheWriterWritesStillGetsItsAnswer() throws Exception {
        CountDownLatch inStatement = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        List<Thread> ranOn = new CopyOnWriteArrayList<>();
        db.insert = rows -> {
            ranOn.add(Thread.currentThread());
            if (ranOn.size() == 1) {
                inStatement.countDown();
                awaitUninterruptibly(finish);
            }
            return rows;
        };
        Thread lone = new Thread(() -> {
            try {
                writer.recordCommit(commit());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        lone.start();
        inStatement.await();
        boolean[] result = new boolean[2];
        Thread queued = new Thread(() -> {
            try {
                writer.recordCommit(commit());
                result[0] = true;
            } catch (IOException e) {
                result[0] = false;
            }
            result[1] = Thread.currentThread().isInterrupted();
        });
        queued.start();
        Thread.sleep(50);
        queued.interrupt();
        Thread.sleep(50);
        assertTrue(queued.isAlive(), "a decision in flight cannot be abandoned");
        finish.countDown();
        lone.join(5_000);
        queued.join(5_000);
        assertTrue(result[0], "the COMMIT was written and the committer told so");
        assertTrue(result[1], "the interrupt is set again on the way out");
        assertFalse(ranOn.get(1) == queued, "the queued committer's record was written by the writer");
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
