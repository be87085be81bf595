package dev.lockstep.tm.internal.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;

class TimeoutTest {

    /*
     * Scenario: a transaction with two branches passes its 5 s deadline while the application still works.
     * Expected: the reaper rolls back both branches (ending them with TMFAIL), afterCompletion(ROLLEDBACK) runs, and
     * the owner's later commit() throws RollbackException naming the timeout.
     */
    @Test
    void reaperRollsBackExpiredTransactions() throws Exception {
        try (Fixture f = new Fixture()) {
            List<Integer> after = new ArrayList<>();
            f.tm.setTransactionTimeout(5);
            f.tm.begin();
            var tx = f.tm.getTransaction();
            tx.enlistResource(f.resource("r1"));
            tx.enlistResource(f.resource("r2"));
            tx.registerSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    after.add(status);
                }
            });
            f.clock.advance(Duration.ofSeconds(5));
            assertEquals(0, f.coordinator.timeOutExpired(Runnable::run), "at the deadline it is still allowed");
            f.clock.advance(Duration.ofMillis(1));
            assertEquals(1, f.coordinator.timeOutExpired(Runnable::run));
            assertEquals(Status.STATUS_ROLLEDBACK, f.tm.getStatus());
            assertEquals(List.of("start(r1)", "start(r2)", "end(r1,fail)", "end(r2,fail)", "rollback(r1)",
                    "rollback(r2)"), f.events.all());
            assertEquals(List.of(Status.STATUS_ROLLEDBACK), after);
            assertThrows(IllegalStateException.class, () -> tx.enlistResource(f.resource("r3")));
            assertThrows(NotSupportedException.class, f.tm::begin);
            var e = assertThrows(RollbackException.class, f.tm::commit);
            assertTrue(e.getMessage().contains("timeout of 5 s"), e.getMessage());
            assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
            assertEquals(1, f.coordinator.metrics().timedOut.sum());
            assertEquals(0, f.coordinator.timeOutExpired(Runnable::run));
            f.tm.begin();
            f.tm.rollback();
        }
    }

    /*
     * Scenario: two transactions pass their deadline; the first one's resource blocks end(TMFAIL), as a driver does
     * while the owning thread is inside a statement on the same connection.
     * Expected: the reaper claims both and returns at once; the second is rolled back while the first still blocks,
     * and the first finishes its rollback once the resource lets go.
     */
    @Test
    void aBlockedRollbackDoesNotHoldUpTheReaper() throws Exception {
        try (Fixture f = new Fixture()) {
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            f.tm.setTransactionTimeout(1);
            f.tm.begin();
            LockstepTransaction stuck = f.tm.getTransaction();
            stuck.enlistResource(new NamedScriptedXAResource("busy", f.events) {
                @Override
                public void end(Xid xid, int flags) throws XAException {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    super.end(xid, flags);
                }
            });
            f.tm.suspend();
            f.tm.begin();
            LockstepTransaction other = f.tm.getTransaction();
            other.enlistResource(f.resource("idle"));
            f.tm.suspend();
            f.clock.advance(Duration.ofSeconds(2));

            long t0 = System.nanoTime();
            assertEquals(2, f.coordinator.timeOutExpired());
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "the reaper returned only after the blocked rollback");
            long end = System.nanoTime() + 5_000_000_000L;
            // The two rollbacks run on threads of their own, in no particular order.
            while ((other.getStatus() != Status.STATUS_ROLLEDBACK || stuck.getStatus() != Status.STATUS_ROLLING_BACK)
                    && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertEquals(Status.STATUS_ROLLEDBACK, other.getStatus());
            assertEquals(Status.STATUS_ROLLING_BACK, stuck.getStatus(), "still blocked in end(TMFAIL)");
            release.countDown();
            end = System.nanoTime() + 5_000_000_000L;
            while (stuck.getStatus() != Status.STATUS_ROLLEDBACK && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertEquals(Status.STATUS_ROLLEDBACK, stuck.getStatus());
            assertTrue(f.events.all().contains("rollback(busy)"), f.events.all().toString());
        }
    }

    @Test
    void rollbackAfterTimeoutJustClearsTheThread() throws Exception {
        try (Fixture f = new Fixture()) {
            f.tm.setTransactionTimeout(1);
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1"));
            f.clock.advance(Duration.ofSeconds(2));
            f.coordinator.timeOutExpired(Runnable::run);
            f.tm.rollback();
            assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
        }
    }

    /*
     * Scenario: the deadline passes while the branches prepare (invariant 5: the deadline guards the COMMIT write).
     * Expected: no COMMIT record; both branches rolled back; RollbackException.
     */
    @Test
    void deadlinePassedDuringPrepareMeansNoDecision() throws Exception {
        try (Fixture f = new Fixture()) {
            f.tm.setTransactionTimeout(10);
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1"));
            f.tm.getTransaction().enlistResource(new NamedScriptedXAResource("slow", f.events) {
                @Override
                public int prepare(Xid xid) throws XAException {
                    f.clock.advance(Duration.ofSeconds(11));
                    return super.prepare(xid);
                }
            });
            var e = assertThrows(RollbackException.class, f.tm::commit);
            assertTrue(e.getMessage().contains("deadline"), e.getMessage());
            assertTrue(f.store.commits.isEmpty());
            assertEquals(List.of("start(r1)", "start(slow)", "end(r1)", "end(slow)", "prepare(r1)", "prepare(slow)",
                    "rollback(r1)", "rollback(slow)"), f.events.all());
        }
    }

    @Test
    void reaperLeavesTransactionsAloneOnceCompletionStarted() throws Exception {
        try (Fixture f = new Fixture()) {
            f.tm.setTransactionTimeout(1);
            f.tm.begin();
            var tx = f.tm.getTransaction();
            tx.enlistResource(f.resource("r1"));
            tx.registerSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                    f.clock.advance(Duration.ofSeconds(2));
                    assertEquals(0, f.coordinator.timeOutExpired(Runnable::run));
                }

                @Override
                public void afterCompletion(int status) {
                }
            });
            // the one-phase commit checks the deadline itself
            var e = assertThrows(RollbackException.class, f.tm::commit);
            assertTrue(e.getMessage().contains("deadline"), e.getMessage());
            assertEquals(0, f.coordinator.metrics().timedOut.sum());
        }
    }
}
