package dev.lockstep.tm.internal.coordinator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.testkit.ScriptedXAResource.Verb;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.spi.CrashPoint;
import dev.lockstep.tm.spi.NamedXAResource;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;

class TwoPhaseCommitTest {

    /*
     * Scenario: two resources vote OK.
     * Expected: both prepared, COMMIT forced before the first commit call, both committed, END; crash points in order.
     */
    @Test
    void twoBranchesPrepareThenForceThenCommit() throws Exception {
        try (Fixture f = new Fixture()) {
            var r1 = f.resource("r1");
            var r2 = f.resource("r2");
            f.tm.begin();
            f.tm.getTransaction().enlistResource(r1);
            f.tm.getTransaction().enlistResource(r2);
            f.tm.commit();
            assertEquals(List.of("start(r1)", "start(r2)", "end(r1)", "end(r2)", "prepare(r1)", "prepare(r2)",
                    "log COMMIT forced", "commit(r1)", "commit(r2)", "log END"), f.events.all());
            assertEquals(List.of(CrashPoint.C1_BEFORE_PREPARE, CrashPoint.C2_SOME_PREPARED,
                    CrashPoint.C3_ALL_PREPARED, CrashPoint.C4_DECISION_FORCED, CrashPoint.C5_SOME_COMMITTED,
                    CrashPoint.C6_ALL_COMMITTED), f.crashPoints);
            CommitRecord rec = f.store.commits.get(0);
            assertEquals(2, rec.branches().size());
            assertEquals("r1", rec.branches().get(0).resourceName());
            assertEquals("r2", rec.branches().get(1).resourceName());
            assertArrayEquals(rec.gtrid(), f.store.ends.get(0));
            assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
            assertEquals(1, f.coordinator.metrics().committed.sum());
        }
    }

    @Test
    void singleBranchCommitsInOnePhaseWithoutLogRecord() throws Exception {
        try (Fixture f = new Fixture()) {
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1"));
            f.tm.commit();
            assertEquals(List.of("start(r1)", "end(r1)", "commit1p(r1)"), f.events.all());
            assertTrue(f.store.commits.isEmpty());
            assertEquals(1, f.coordinator.metrics().committedOnePhase.sum());
        }
    }

    @Test
    void readOnlyVotesDropOutAndAllReadOnlyWritesNothing() throws Exception {
        try (Fixture f = new Fixture()) {
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1").vote(XAResource.XA_RDONLY));
            f.tm.getTransaction().enlistResource(f.resource("r2").vote(XAResource.XA_RDONLY));
            f.tm.commit();
            assertEquals(List.of("start(r1)", "start(r2)", "end(r1)", "end(r2)", "prepare(r1)", "prepare(r2)"),
                    f.events.all());
            assertTrue(f.store.commits.isEmpty() && f.store.ends.isEmpty());
            assertEquals(1, f.coordinator.metrics().committedReadOnly.sum());

            f.events.clear();
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1").vote(XAResource.XA_RDONLY));
            f.tm.getTransaction().enlistResource(f.resource("r2"));
            f.tm.commit();
            assertEquals(List.of("start(r1)", "start(r2)", "end(r1)", "end(r2)", "prepare(r1)", "prepare(r2)",
                    "log COMMIT forced", "commit(r2)", "log END"), f.events.all());
            assertEquals(1, f.store.commits.get(0).branches().size(), "only the prepared branch is recorded");
        }
    }

    @Test
    void failedPrepareRollsEverythingBack() throws Exception {
        try (Fixture f = new Fixture()) {
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1"));
            f.tm.getTransaction().enlistResource(f.resource("r2").failOn(Verb.PREPARE, XAException.XAER_RMERR));
            var e = assertThrows(RollbackException.class, f.tm::commit);
            assertTrue(e.getMessage().contains("XAER_RMERR"), e.getMessage());
            assertEquals(List.of("start(r1)", "start(r2)", "end(r1)", "end(r2)", "prepare(r1)", "prepare(r2)!XAER_RMERR",
                    "rollback(r1)", "rollback(r2)"), f.events.all());
            assertTrue(f.store.commits.isEmpty());
            assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
        }
    }

    /*
     * Scenario: the log had already failed, so it refuses the COMMIT record before writing any of it.
     * Expected: no COMMIT can be on disk, so presumed abort: both branches roll back and commit() says so.
     */
    @Test
    void refusedCommitWriteRollsBack() throws Exception {
        try (Fixture f = new Fixture()) {
            f.store.failCommit = true;
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1"));
            f.tm.getTransaction().enlistResource(f.resource("r2"));
            var e = assertThrows(RollbackException.class, f.tm::commit);
            assertTrue(e.getMessage().contains("COMMIT record could not be written"), e.getMessage());
            assertEquals(List.of("start(r1)", "start(r2)", "end(r1)", "end(r2)", "prepare(r1)", "prepare(r2)",
                    "log COMMIT refused", "rollback(r1)", "rollback(r2)"), f.events.all());
        }
    }

    /*
     * Scenario: r1 is unreachable at the first commit (XAER_RMFAIL), then comes back.
     * Expected: commit() returns normally; r1 is retried in the background; END only after it committed.
     */
    @Test
    void unreachableBranchIsRetriedInTheBackgroundAndCommitReturns() throws Exception {
        try (Fixture f = new Fixture()) {
            var r1 = f.resource("r1").failOn(Verb.COMMIT, XAException.XAER_RMFAIL, 3);
            f.tm.begin();
            f.tm.getTransaction().enlistResource(r1);
            f.tm.getTransaction().enlistResource(f.resource("r2"));
            f.tm.commit();
            f.awaitRetriesDone();
            assertEquals(List.of("start(r1)", "start(r2)", "end(r1)", "end(r2)", "prepare(r1)", "prepare(r2)",
                    "log COMMIT forced", "commit(r1)!XAER_RMFAIL", "commit(r2)", "commit(r1)!XAER_RMFAIL",
                    "commit(r1)!XAER_RMFAIL", "commit(r1)", "log END"), f.events.all());
            assertEquals(1, r1.committed().size());
            assertEquals(3, f.coordinator.metrics().phaseTwoRetries.sum());
        }
    }

    /*
     * Scenario: the first commit of r1 fails (connection broke) and the retry answers XAER_NOTA while recover()
     * still lists the branch (MariaDB: held by another session); later recover() no longer lists it.
     * Expected: not finished while listed; END only after a recover scan without it (invariant 6).
     */
    @Test
    void notFoundOnRetryCountsAsDoneOnlyWhenRecoverNoLongerListsIt() throws Exception {
        try (Fixture f = new Fixture()) {
            var r1 = f.resource("r1").failOn(Verb.COMMIT, XAException.XAER_RMFAIL)
                    .failOn(Verb.COMMIT, XAException.XAER_NOTA, 2).keepListedAfterNota(true);
            f.tm.begin();
            f.tm.getTransaction().enlistResource(r1);
            f.tm.getTransaction().enlistResource(f.resource("r2"));
            f.tm.commit();
            // first retry: NOTA, listed -> retry; second retry: NOTA, listed -> retry; third: commits.
            f.awaitRetriesDone();
            List<String> ev = f.events.all();
            assertEquals(List.of("commit(r1)!XAER_RMFAIL", "commit(r2)", "commit(r1)!XAER_NOTA", "recover(r1)",
                    "commit(r1)!XAER_NOTA", "recover(r1)", "commit(r1)", "log END"),
                    ev.subList(ev.indexOf("log COMMIT forced") + 1, ev.size()));

            f.events.clear();
            var r3 = f.resource("r3").failOn(Verb.COMMIT, XAException.XAER_RMFAIL)
                    .failOn(Verb.COMMIT, XAException.XAER_NOTA);
            f.tm.begin();
            f.tm.getTransaction().enlistResource(r3);
            f.tm.getTransaction().enlistResource(f.resource("r4"));
            f.tm.commit();
            f.awaitRetriesDone();
            ev = f.events.all();
            assertEquals(List.of("commit(r3)!XAER_RMFAIL", "commit(r4)", "commit(r3)!XAER_NOTA", "recover(r3)",
                    "log END"), ev.subList(ev.indexOf("log COMMIT forced") + 1, ev.size()));
        }
    }

    /*
     * Scenario: r1 answers XAER_NOTA on the first commit of a live transaction: PostgreSQL lost the prepared branch.
     * Expected: HeuristicMixedException, a LOST heuristic recorded, no END (invariants 6 and 7).
     */
    @Test
    void notFoundOnFirstCommitIsAHeuristicHazard() throws Exception {
        try (Fixture f = new Fixture()) {
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1").failOn(Verb.COMMIT, XAException.XAER_NOTA));
            f.tm.getTransaction().enlistResource(f.resource("r2"));
            var e = assertThrows(HeuristicMixedException.class, f.tm::commit);
            assertTrue(e.getMessage().contains("lost its prepared work"), e.getMessage());
            assertEquals(List.of("start(r1)", "start(r2)", "end(r1)", "end(r2)", "prepare(r1)", "prepare(r2)",
                    "log COMMIT forced", "commit(r1)!XAER_NOTA", "commit(r2)", "log HEURISTIC LOST"), f.events.all());
            assertTrue(f.store.ends.isEmpty());
            assertEquals(1, f.coordinator.metrics().heuristic.sum());
        }
    }

    /*
     * Scenario: the first commit of r1 comes more than the lost-branch window after the decision (phase two stalled)
     * and answers XAER_NOTA; recover() no longer lists the branch: a recovery service beside this TM committed it
     * once its safety interval passed. And the same while recover() still lists the branch.
     * Expected: no heuristic; committed when unlisted; retried (not lost) while listed.
     */
    @Test
    void notFoundOnALateFirstCommitIsCheckedWithRecoverNotCalledLost() throws Exception {
        for (boolean stillListed : new boolean[] {false, true}) {
            try (Fixture f = new Fixture()) {
                CountDownLatch stalled = new CountDownLatch(1);
                var r1 = f.resource("r1").blockCommit(stalled).failOn(Verb.COMMIT, XAException.XAER_NOTA)
                        .keepListedAfterNota(stillListed);
                f.tm.begin();
                f.tm.getTransaction().enlistResource(r1);
                f.tm.getTransaction().enlistResource(f.resource("r2"));
                var tx = f.tm.suspend();
                Thread committer = new Thread(() -> {
                    try {
                        tx.commit();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                committer.start();
                while (f.store.commits.isEmpty()) {
                    Thread.sleep(1);
                }
                f.clock.advance(Duration.ofSeconds(6));
                stalled.countDown();
                committer.join(10_000);
                assertEquals(0, f.coordinator.metrics().heuristic.sum(), f.events.all().toString());
                List<String> ev = f.events.all();
                List<String> after = ev.subList(ev.indexOf("log COMMIT forced") + 1, ev.size());
                if (stillListed) {
                    assertEquals(List.of("commit(r1)!XAER_NOTA", "commit(r2)", "recover(r1)"), after.subList(0, 3));
                    r1.clearPrepared();
                    f.awaitRetriesDone();
                } else {
                    assertEquals(List.of("commit(r1)!XAER_NOTA", "commit(r2)", "recover(r1)", "log END"), after);
                }
                assertEquals(1, f.store.ends.size());
            }
        }
    }

    /*
     * Scenario: three branches whose prepare and commit each take 150 ms, phases in parallel.
     * Expected: the whole commit costs about one branch's prepare plus one commit, not three of each.
     */
    @Test
    void parallelPhasesCostTheSlowestBranchNotTheSum() throws Exception {
        try (Fixture f = new Fixture(true)) {
            f.tm.begin();
            for (String n : List.of("r1", "r2", "r3")) {
                f.tm.getTransaction().enlistResource(f.resource(n).prepareDelay(150).commitDelay(150));
            }
            long t0 = System.nanoTime();
            f.tm.commit();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 750, "3 branches x (150 ms prepare + 150 ms commit) took " + ms
                    + " ms; sequential would be 900 ms");
            assertEquals(3, f.store.commits.get(0).branches().size());
            assertEquals(1, f.store.ends.size());
        }
    }

    /*
     * Scenario: two resources that answer in microseconds, phases in parallel, 20 transactions.
     * Expected: once their cost is learned (the first transaction), every prepare and commit runs on the committing
     * thread: a hand-off would cost more than the call.
     */
    @Test
    void fastBranchesRunOnTheCommittingThread() throws Exception {
        try (Fixture f = new Fixture(true)) {
            List<Thread> threads1 = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Thread> threads2 = new java.util.concurrent.CopyOnWriteArrayList<>();
            ScriptedXAResource r1 = recordingThreads("fast-1", threads1, 0);
            ScriptedXAResource r2 = recordingThreads("fast-2", threads2, 0);
            for (int i = 0; i < 20; i++) {
                threads1.clear();
                threads2.clear();
                f.tm.begin();
                f.tm.getTransaction().enlistResource(NamedXAResource.wrap("fast-1", r1));
                f.tm.getTransaction().enlistResource(NamedXAResource.wrap("fast-2", r2));
                f.tm.commit();
            }
            assertEquals(List.of(Thread.currentThread(), Thread.currentThread()), threads1);
            assertEquals(List.of(Thread.currentThread(), Thread.currentThread()), threads2);
            assertTrue(f.coordinator.phases.averageNanos("fast-2") < PhaseRunner.HAND_OFF_NANOS,
                    "learned " + f.coordinator.phases.averageNanos("fast-2") + " ns");
        }
    }

    /*
     * Scenario: a fast resource first and one whose prepare and commit take 2 ms each, phases in parallel.
     * Expected: the slow one keeps running on a phase thread, beside the committing thread's call.
     */
    @Test
    void slowBranchesKeepRunningInParallel() throws Exception {
        try (Fixture f = new Fixture(true)) {
            ScriptedXAResource fast = recordingThreads("fast", new java.util.concurrent.CopyOnWriteArrayList<>(), 0);
            List<Thread> slowThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
            ScriptedXAResource slow = recordingThreads("slow", slowThreads, 2);
            for (int i = 0; i < 10; i++) {
                slowThreads.clear();
                f.tm.begin();
                f.tm.getTransaction().enlistResource(NamedXAResource.wrap("fast", fast));
                f.tm.getTransaction().enlistResource(NamedXAResource.wrap("slow", slow));
                f.tm.commit();
            }
            assertEquals(2, slowThreads.size());
            for (Thread t : slowThreads) {
                assertTrue(t.getName().startsWith("lockstep-phase-"), "ran on " + t.getName());
            }
        }
    }

    /** A kit resource that adds the thread of every prepare and commit to {@code threads}; sleeps in each. */
    private static ScriptedXAResource recordingThreads(String name, List<Thread> threads, long millis) {
        return new ScriptedXAResource(name).prepareDelay(millis).commitDelay(millis).hook((verb, xid) -> {
            if (verb == Verb.PREPARE || verb == Verb.COMMIT) {
                threads.add(Thread.currentThread());
            }
        });
    }

    @Test
    void commitIsRefusedWhileAnotherThreadCompletes() throws Exception {
        try (Fixture f = new Fixture()) {
            CountDownLatch release = new CountDownLatch(1);
            f.tm.begin();
            var tx = f.tm.getTransaction();
            tx.enlistResource(f.resource("r1").blockCommit(release));
            tx.enlistResource(f.resource("r2"));
            Thread t = new Thread(() -> {
                try {
                    tx.commit();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            t.start();
            long end = System.nanoTime() + 5_000_000_000L;
            while (tx.getStatus() != Status.STATUS_COMMITTING && System.nanoTime() < end) {
                Thread.sleep(1);
            }
            assertEquals(Status.STATUS_COMMITTING, tx.getStatus());
            assertThrows(IllegalStateException.class, tx::commit);
            assertThrows(IllegalStateException.class, tx::rollback);
            release.countDown();
            t.join();
            assertEquals(Status.STATUS_COMMITTED, tx.getStatus());
        }
    }
}
