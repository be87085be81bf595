package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.testkit.ScriptedXAResource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.ScriptedXAResource.Verb;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;

/**
 * The defects of the core found by the hardening review (issue 11), each as the scenario that showed it. The sweeps
 * that look for the whole class of each are {@link CompletionRaceSweepTest} (a second thread at every XA call) and
 * the storage-fault and power-loss sweeps of the log.
 */
class CompletionHardeningTest {

    /*
     * Scenario: r1 and r2 prepared; the COMMIT write fails in a way that may have left the record durable (the write
     * went out, its force failed, or a later step of the same batch failed).
     * Expected: commit() throws SystemException naming the transaction and its gtrid; no branch is rolled back or
     * committed (both stay prepared: recovery finishes them from what the log really holds); afterCompletion runs
     * once with STATUS_UNKNOWN; the transaction leaves the live set and the thread.
     */
    @Test
    void aCommitWriteThatMayHaveReachedTheDiskLeavesTheBranchesToRecovery() throws Exception {
        try (Fixture f = new Fixture()) {
            f.store.failCommitUnknown = true;
            var r1 = f.resource("r1");
            var r2 = f.resource("r2");
            f.tm.begin();
            Transaction tx = f.tm.getTransaction();
            tx.enlistResource(r1);
            tx.enlistResource(r2);
            List<Integer> statuses = recordAfterCompletion(tx);
            String gtridHex = java.util.HexFormat.of().formatHex(((LockstepTransaction) tx).gtrid());
            SystemException e = assertThrows(SystemException.class, f.tm::commit);
            assertTrue(e.getMessage().startsWith("LKS-133 "), e.getMessage());
            assertTrue(e.getMessage().contains(gtridHex), e.getMessage());
            assertTrue(e.getMessage().contains("recovery"), e.getMessage());
            assertEquals(List.of("start(r1)", "start(r2)", "end(r1)", "end(r2)", "prepare(r1)", "prepare(r2)",
                    "log COMMIT failed"), f.events.all());
            assertEquals(1, r1.prepared().size());
            assertEquals(1, r2.prepared().size());
            assertEquals(List.of(Status.STATUS_UNKNOWN), statuses);
            assertEquals(Status.STATUS_UNKNOWN, tx.getStatus());
            assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
            assertTrue(f.coordinator.liveTransactions().isEmpty());
            assertEquals(1, f.coordinator.metrics().unknownOutcome.sum());
            assertThrows(IllegalStateException.class, tx::rollback, "a second completion is refused");
        }
    }

    /*
     * Scenario: while commit() ends r1, a second thread calls setRollbackOnly().
     * Expected (before the fix: LKS-101 MARKED_ROLLBACK -> PREPARING, no branch finished, afterCompletion never ran):
     * commit() throws RollbackException; both branches are rolled back; afterCompletion(STATUS_ROLLEDBACK) once; the
     * transaction leaves the live set.
     */
    @Test
    void setRollbackOnlyFromAnotherThreadWhileCommitEndsRollsBackCleanly() throws Exception {
        try (Fixture f = new Fixture()) {
            var r1 = f.resource("r1");
            var r2 = f.resource("r2");
            f.tm.begin();
            Transaction tx = f.tm.getTransaction();
            tx.enlistResource(r1);
            tx.enlistResource(r2);
            List<Integer> statuses = recordAfterCompletion(tx);
            List<SecondThread> second = new ArrayList<>();
            r1.hook(once(Verb.END, () -> second.add(SecondThread.runBesides("marker", () -> {
                tx.setRollbackOnly();
                return null;
            }))));
            assertThrows(RollbackException.class, f.tm::commit);
            assertNull(second.get(0).join().failure(), "the mark came before the decision and is accepted");
            assertRolledBackCleanly(f, statuses, r1, r2);
        }
    }

    /*
     * Scenario: while commit() ends r1, a second thread delists r2 with TMFAIL.
     * Expected: one outcome. Either the delisting wins (it returns true, the transaction rolls back) or commit's end
     * of r2 does (the delisting returns false, or is refused with IllegalStateException once the transaction left
     * ACTIVE, as JTA allows, and the transaction commits). Never a stranded transaction, and never r2 ended twice.
     */
    @Test
    void delistWithTmFailFromAnotherThreadWhileCommitEndsGivesOneOutcome() throws Exception {
        try (Fixture f = new Fixture()) {
            var r1 = f.resource("r1");
            var r2 = f.resource("r2");
            f.tm.begin();
            Transaction tx = f.tm.getTransaction();
            tx.enlistResource(r1);
            tx.enlistResource(r2);
            List<Integer> statuses = recordAfterCompletion(tx);
            List<SecondThread> second = new ArrayList<>();
            r1.hook(once(Verb.END, () -> second.add(SecondThread.runBesides("delister",
                    () -> tx.delistResource(r2, XAResource.TMFAIL)))));
            Throwable thrown = null;
            try {
                f.tm.commit();
            } catch (RollbackException e) {
                thrown = e;
            }
            SecondThread delist = second.get(0).join();
            if (delist.failure() != null) {
                assertInstanceOf(IllegalStateException.class, delist.failure(), delist.toString());
                assertTrue(delist.failure().getMessage().startsWith("LKS-114 "), delist.toString());
            }
            assertEquals(1, f.events.all().stream().filter(e -> e.startsWith("end(r2")).count(), f.events.toString());
            if (Boolean.TRUE.equals(delist.result())) {
                assertInstanceOf(RollbackException.class, thrown);
                assertRolledBackCleanly(f, statuses, r1, r2);
            } else {
                assertNull(thrown);
                assertEquals(List.of(Status.STATUS_COMMITTED), statuses);
                assertEquals(1, r1.committed().size());
                assertEquals(1, r2.committed().size());
            }
            assertTrue(f.coordinator.liveTransactions().isEmpty());
        }
    }

    /*
     * Scenario: a second thread enlists r3 and is inside r3's start() when commit() begins; start then answers
     * XA_RBROLLBACK, after commit() checked for rollback-only.
     * Expected: the resource rolled back at start, so the transaction rolls back: RollbackException, r1 and r2 rolled
     * back, afterCompletion(STATUS_ROLLEDBACK) once, nothing stranded.
     */
    @Test
    void aRollbackAnsweredByStartOnAnotherThreadDuringCommitRollsBackCleanly() throws Exception {
        try (Fixture f = new Fixture()) {
            var r1 = f.resource("r1");
            var r2 = f.resource("r2");
            var r3 = f.resource("r3").failOn(Verb.START, XAException.XA_RBROLLBACK);
            f.tm.begin();
            Transaction tx = f.tm.getTransaction();
            tx.enlistResource(r1);
            tx.enlistResource(r2);
            List<Integer> statuses = recordAfterCompletion(tx);
            CountDownLatch inStart = new CountDownLatch(1);
            CountDownLatch committerAtEnd = new CountDownLatch(1);
            r3.hook(once(Verb.START, () -> {
                inStart.countDown();
                await(committerAtEnd, 300); // the committer either reaches end(r1) or waits for this start
            }));
            r1.hook(once(Verb.END, committerAtEnd::countDown));
            SecondThread enlister = SecondThread.runBesides("enlister", () -> tx.enlistResource(r3));
            assertTrue(inStart.await(5, TimeUnit.SECONDS));
            assertThrows(RollbackException.class, f.tm::commit);
            assertInstanceOf(RollbackException.class, enlister.join().failure(), enlister.toString());
            assertRolledBackCleanly(f, statuses, r1, r2);
        }
    }

    /*
     * Scenario: a transaction resumed on a worker thread; the worker and the original thread enlist a resource each
     * at the same moment.
     * Expected (before the fix both got branch qualifier 1): two branches with different qualifiers.
     */
    @Test
    void twoThreadsEnlistingAtOnceGetDifferentBranchQualifiers() throws Exception {
        try (Fixture f = new Fixture()) {
            var r1 = f.resource("r1");
            var r2 = f.resource("r2");
            List<Xid> started = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch bothStarting = new CountDownLatch(2);
            ScriptedXAResource.BeforeCall meet = (verb, xid) -> {
                if (verb == Verb.START) {
                    started.add(xid);
                    bothStarting.countDown();
                    await(bothStarting, 2000);
                }
            };
            r1.hook(meet);
            r2.hook(meet);
            f.tm.begin();
            Transaction tx = f.tm.getTransaction();
            SecondThread other = SecondThread.runBesides("worker", () -> tx.enlistResource(r2));
            tx.enlistResource(r1);
            assertNull(other.join().failure(), other.toString());
            assertEquals(2, started.size());
            assertFalse(Arrays.equals(started.get(0).getBranchQualifier(), started.get(1).getBranchQualifier()),
                    "branch qualifiers must differ");
            f.tm.commit();
            assertEquals(2, f.store.commits.get(0).branches().size());
        }
    }

    /*
     * Scenario: r1's commit answers XA_HEURMIX; the HEURISTIC record cannot be written (the log failed).
     * Expected (invariant 7; before the fix r1 was told to forget): r1 is NOT told to forget, so the resource keeps the
     * only other record of the heuristic, and recovery finds it there; the caller still gets HeuristicMixedException.
     */
    @Test
    void aHeuristicThatCannotBeLoggedIsNotForgotten() throws Exception {
        try (Fixture f = new Fixture()) {
            f.store.failHeuristic = true;
            var r1 = f.resource("r1").failOn(Verb.COMMIT, XAException.XA_HEURMIX);
            var r2 = f.resource("r2");
            f.tm.begin();
            f.tm.getTransaction().enlistResource(r1);
            f.tm.getTransaction().enlistResource(r2);
            assertThrows(HeuristicMixedException.class, f.tm::commit);
            assertTrue(f.events.contains("log HEURISTIC failed"), f.events.toString());
            assertFalse(f.events.contains("forget(r1)"), f.events.toString());
        }
    }

    /* The same in one phase (XA_HEURHAZ) and in a rollback (XA_HEURCOM). */
    @Test
    void aHeuristicThatCannotBeLoggedIsNotForgottenInOnePhaseOrRollback() throws Exception {
        try (Fixture f = new Fixture()) {
            f.store.failHeuristic = true;
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1").failOn(Verb.COMMIT, XAException.XA_HEURHAZ));
            assertThrows(HeuristicMixedException.class, f.tm::commit);
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1").failOn(Verb.ROLLBACK, XAException.XA_HEURCOM));
            f.tm.getTransaction().enlistResource(f.resource("r2"));
            assertThrows(SystemException.class, f.tm::rollback);
            assertFalse(f.events.all().stream().anyMatch(e -> e.startsWith("forget(")), f.events.toString());
        }
    }

    /*
     * Scenario: a transaction of 60 s begins; the wall clock is set back by 10 minutes (NTP, an operator); 61 s pass.
     * Expected (suspected defect (a), confirmed: before the fix the wall-clock deadline lay 10 minutes ahead and the
     * COMMIT was written after recovery could already have presumed abort): the deadline is measured on a clock that
     * does not step, so commit() rolls back and the reaper claims such a transaction too.
     */
    @Test
    void aWallClockSetBackDoesNotExtendTheDecisionDeadline() throws Exception {
        try (Fixture f = new Fixture()) {
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1"));
            f.tm.getTransaction().enlistResource(f.resource("r2"));
            f.clock.step(Duration.ofMinutes(-10));
            f.clock.advance(Duration.ofSeconds(61));
            RollbackException e = assertThrows(RollbackException.class, f.tm::commit);
            assertTrue(e.getMessage().contains("deadline"), e.getMessage());
            assertTrue(f.store.commits.isEmpty());

            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r3"));
            Transaction late = f.tm.getTransaction();
            f.tm.suspend();
            f.clock.step(Duration.ofMinutes(-10));
            f.clock.advance(Duration.ofSeconds(61));
            assertEquals(1, f.coordinator.timeOutExpired(Runnable::run));
            assertEquals(Status.STATUS_ROLLEDBACK, late.getStatus());
        }
    }

    /* A wall clock set forward past the deadline still ends the transaction: either clock passing it is enough. */
    @Test
    void aWallClockSetForwardPastTheDeadlineStillRollsBack() throws Exception {
        try (Fixture f = new Fixture()) {
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1"));
            f.tm.getTransaction().enlistResource(f.resource("r2"));
            f.clock.step(Duration.ofMinutes(10));
            assertThrows(RollbackException.class, f.tm::commit);
        }
    }

    // ------------------------------------------------------------------ helpers

    static List<Integer> recordAfterCompletion(Transaction tx) throws Exception {
        List<Integer> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
        tx.registerSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                statuses.add(status);
            }
        });
        return statuses;
    }

    private static void assertRolledBackCleanly(Fixture f, List<Integer> statuses, ScriptedXAResource... rs) {
        assertEquals(List.of(Status.STATUS_ROLLEDBACK), statuses, f.events.toString());
        for (ScriptedXAResource r : rs) {
            assertTrue(r.committed().isEmpty(), r + " committed: " + f.events);
            assertTrue(r.prepared().isEmpty(), r + " still prepared: " + f.events);
        }
        assertTrue(f.coordinator.liveTransactions().isEmpty(), "left in the live set");
        assertNotEquals(Status.STATUS_ACTIVE, safeStatus(f));
    }

    private static int safeStatus(Fixture f) {
        try {
            return f.tm.getStatus();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A hook that runs {@code action} at the first call of {@code verb} only. */
    static ScriptedXAResource.BeforeCall once(Verb verb, Runnable action) {
        AtomicBoolean done = new AtomicBoolean();
        return (v, xid) -> {
            if (v == verb && done.compareAndSet(false, true)) {
                action.run();
            }
        };
    }

    static void await(CountDownLatch latch, long millis) {
        try {
            latch.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
