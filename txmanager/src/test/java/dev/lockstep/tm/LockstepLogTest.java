package dev.lockstep.tm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.Events;
import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.tm.internal.coordinator.NamedScriptedXAResource;
import dev.lockstep.tm.log.PendingDecision;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lockstep over its real, durable decision log. */
class LockstepLogTest {

    @TempDir
    Path dir;

    private static void twoBranchCommit(TransactionManager tm, Events events) throws Exception {
        tm.begin();
        tm.getTransaction().enlistResource(new NamedScriptedXAResource("db-a", events));
        tm.getTransaction().enlistResource(new NamedScriptedXAResource("db-b", events));
        tm.commit();
    }

    /** Invariant 10: a single committer pays exactly one force per two-phase transaction; 1PC and read-only none. */
    @Test
    void aSingleCommitterPaysOneForcePerTwoPhaseTransaction() throws Exception {
        try (Lockstep ls = Lockstep.builder().nodeId("n1").logDirectory(dir).build()) {
            Events events = new Events();
            long forces0 = ls.metrics().logForces();
            for (int i = 0; i < 20; i++) {
                twoBranchCommit(ls.transactionManager(), events);
            }
            LockstepMetrics m = ls.metrics();
            assertEquals(20, m.logForces() - forces0, m.toString());
            assertEquals(20, m.committed());

            TransactionManager tm = ls.transactionManager();
            tm.begin();
            tm.getTransaction().enlistResource(new NamedScriptedXAResource("db-a", events));
            tm.commit();
            assertEquals(m.logForces(), ls.metrics().logForces(), "one-phase commit writes nothing");
            assertEquals(1, ls.metrics().committedOnePhase());
        }
    }

    /*
     * Scenario: 16 threads each commit 100 two-branch transactions at once.
     * Expected: all commit; every COMMIT is a record, but forces are shared (fewer forces than COMMIT records).
     */
    @Test
    void concurrentCommittersShareForces() throws Exception {
        int threads = 16;
        int perThread = 100;
        try (Lockstep ls = Lockstep.builder().nodeId("n1").logDirectory(dir).build()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    Events events = new Events();
                    try {
                        start.await();
                        for (int i = 0; i < perThread; i++) {
                            twoBranchCommit(ls.transactionManager(), events);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                th.start();
                all.add(th);
            }
            start.countDown();
            for (Thread th : all) {
                th.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            LockstepMetrics m = ls.metrics();
            assertEquals(threads * perThread, m.committed());
            assertTrue(m.logForces() < threads * perThread,
                    "group commit: " + m.logForces() + " forces for " + threads * perThread + " COMMIT records");
        }
    }

    /*
     * Scenario: a committed transaction whose branch db-b stays unreachable; the TM closes before the retry
     * succeeds (as a crash would leave it). Expected: the next incarnation reports the decision, with both branches
     * and their resource names; decisions that ended are not reported.
     */
    @Test
    void anUnfinishedDecisionIsReportedByTheNextIncarnation() throws Exception {
        byte[] gtrid;
        try (Lockstep ls = Lockstep.builder().nodeId("n1").logDirectory(dir).retryInitialDelay(Duration.ofSeconds(30))
                .retryMaxDelay(Duration.ofSeconds(30)).build()) {
            Events events = new Events();
            twoBranchCommit(ls.transactionManager(), events); // finished: END
            TransactionManager tm = ls.transactionManager();
            tm.begin();
            gtrid = ((dev.lockstep.tm.internal.coordinator.LockstepTransaction) tm.getTransaction()).gtrid();
            tm.getTransaction().enlistResource(new NamedScriptedXAResource("db-a", events));
            tm.getTransaction().enlistResource(new NamedScriptedXAResource("db-b", events)
                    .failOn(ScriptedXAResource.Verb.COMMIT, XAException.XAER_RMFAIL, 100));
            tm.commit(); // returns normally: the decision is durable, db-b is retried in the background
            assertEquals(1, ls.metrics().pendingBranches());
        }
        try (Lockstep ls = Lockstep.builder().nodeId("n1").logDirectory(dir).build()) {
            List<PendingDecision> pending = ls.pendingDecisionsAtStart();
            assertEquals(1, pending.size(), pending.toString());
            assertArrayEquals(gtrid, pending.get(0).commit().gtrid());
            assertEquals(List.of("db-a", "db-b"),
                    pending.get(0).commit().branches().stream().map(b -> b.resourceName()).toList());
        }
    }
}
