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
            assertEquals(0, f.coordinator.timeOutExpired(), "at the deadline it is still allowed");
            f.clock.advance(Duration.ofMillis(1));
            assertEquals(1, f.coordinator.timeOutExpired());
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
            assertEquals(0, f.coordinator.timeOutExpired());
            f.tm.begin();
            f.tm.rollback();
        }
    }

    @Test
    void rollbackAfterTimeoutJustClearsTheThread() throws Exception {
        try (Fixture f = new Fixture()) {
            f.tm.setTransactionTimeout(1);
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1"));
            f.clock.advance(Duration.ofSeconds(2));
            f.coordinator.timeOutExpired();
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
            f.tm.getTransaction().enlistResource(new ScriptedXAResource("slow", f.events) {
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
                    assertEquals(0, f.coordinator.timeOutExpired());
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
