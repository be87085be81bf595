package dev.lockstep.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.Events;
import dev.lockstep.testkit.ScriptedXAResource.Verb;
import dev.lockstep.tm.snapshot.LockstepSnapshot.BranchProgress;
import dev.lockstep.tm.snapshot.LockstepSnapshot.InFlightTransaction;
import dev.lockstep.tm.snapshot.LockstepSnapshot.RecordedHeuristic;
import dev.lockstep.tm.snapshot.LockstepSnapshot.RetryingBranch;
import dev.lockstep.tm.events.TransactionEvent.BranchCall;
import dev.lockstep.tm.internal.coordinator.NamedScriptedXAResource;
import dev.lockstep.tm.log.HeuristicOutcome;
import dev.lockstep.tm.snapshot.LockstepSnapshot;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Lockstep#snapshot()}: what an operator's tool sees of transactions in flight, retries and heuristics. */
class LockstepSnapshotTest {

    @TempDir
    Path dir;

    private Lockstep.Builder builder(String node) {
        return Lockstep.builder().nodeId(node).logDirectory(dir).inProcessRecovery(false)
                .retryInitialDelay(Duration.ofMillis(20)).retryMaxDelay(Duration.ofMillis(50));
    }

    /*
     * Scenario: a transaction with two branches, still active; then committed.
     * Expected: the snapshot lists it ACTIVE with its gtrid and both branches ENLISTED under their names; after the
     * commit it is gone, and nothing is retrying or heuristic; the store is usable.
     */
    @Test
    void listsAnActiveTransactionWithItsBranchesAndForgetsItOnceCompleted() throws Exception {
        try (Lockstep ls = builder("snap-a").build()) {
            TransactionManager tm = ls.transactionManager();
            Events events = new Events();
            tm.begin();
            var tx = (dev.lockstep.tm.internal.coordinator.LockstepTransaction) tm.getTransaction();
            tx.enlistResource(new NamedScriptedXAResource("db-a", events));
            tx.enlistResource(new NamedScriptedXAResource("db-b", events));

            LockstepSnapshot s = ls.snapshot();
            assertEquals("snap-a", s.nodeId());
            assertEquals(ls.incarnation(), s.incarnation());
            assertTrue(s.storeUsable(), s.problem());
            assertEquals(1, s.transactions().size(), s.toString());
            InFlightTransaction t = s.transactions().get(0);
            assertEquals(HexFormat.of().formatHex(tx.gtrid()), t.gtrid());
            assertEquals(tx.toString(), t.id());
            assertEquals("ACTIVE", t.state());
            assertEquals(List.of("db-a", "db-b"), t.branches().stream().map(b -> b.resource()).toList());
            assertEquals(List.of(1, 2), t.branches().stream().map(b -> b.branch()).toList());
            assertTrue(t.branches().stream().allMatch(b -> b.state() == BranchProgress.ENLISTED), t.toString());
            assertTrue(t.deadline().isAfter(t.begin()));
            assertTrue(s.oldestInDoubtSince().isEmpty(), "an active transaction has nothing prepared");

            tm.commit();
            LockstepSnapshot after = ls.snapshot();
            assertTrue(after.transactions().isEmpty(), after.toString());
            assertTrue(after.retrying().isEmpty());
            assertTrue(after.heuristics().isEmpty());
            assertEquals(0, after.heuristicsTotal());
        }
    }

    /*
     * Scenario: a two-phase commit whose second branch's commit blocks (after the decision is durable).
     * Expected: meanwhile the snapshot shows the transaction COMMITTING, its branches prepared (or the first one
     * finished), and an in-doubt age from its begin; a snapshot never waits for the blocked commit.
     */
    @Test
    void showsATransactionInPhaseTwoWithoutWaitingForIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService committer = Executors.newSingleThreadExecutor();
        try (Lockstep ls = builder("snap-b").build()) {
            TransactionManager tm = ls.transactionManager();
            Events events = new Events();
            NamedScriptedXAResource a = new NamedScriptedXAResource("db-a", events);
            NamedScriptedXAResource b = new NamedScriptedXAResource("db-b", events);
            b.blockCommit(release);
            Future<?> done = committer.submit(() -> {
                tm.begin();
                tm.getTransaction().enlistResource(a);
                tm.getTransaction().enlistResource(b);
                tm.commit();
                return null;
            });
            await(() -> ls.snapshot().transactions().stream().anyMatch(t -> t.state().equals("COMMITTING")));
            InFlightTransaction t = ls.snapshot().transactions().get(0);
            assertTrue(t.branches().stream().allMatch(x -> x.state() == BranchProgress.PREPARED
                    || x.state() == BranchProgress.FINISHED), t.toString());
            assertEquals(t.begin(), ls.snapshot().oldestInDoubtSince().orElseThrow());
            release.countDown();
            done.get();
            assertTrue(ls.snapshot().transactions().isEmpty());
        } finally {
            release.countDown();
            committer.shutdownNow();
        }
    }

    /*
     * Scenario: the decision is durable, and the second branch's commit fails with XAER_RMFAIL five times (the
     * first attempt and four retries), then succeeds.
     * Expected: commit() returns; the snapshot lists the branch as retrying: its resource, COMMIT, the attempts so far,
     * since when, and XAER_RMFAIL as its last error; it is the oldest in doubt; once a retry succeeds it is gone.
     */
    @Test
    void listsABranchLeftToTheRetrierWithItsAttemptsAndLastError() throws Exception {
        try (Lockstep ls = builder("snap-c").build()) {
            TransactionManager tm = ls.transactionManager();
            Events events = new Events();
            NamedScriptedXAResource b = new NamedScriptedXAResource("db-b", events);
            b.failOn(Verb.COMMIT, XAException.XAER_RMFAIL, 5);
            tm.begin();
            String gtrid = HexFormat.of().formatHex(
                    ((dev.lockstep.tm.internal.coordinator.LockstepTransaction) tm.getTransaction()).gtrid());
            tm.getTransaction().enlistResource(new NamedScriptedXAResource("db-a", events));
            tm.getTransaction().enlistResource(b);
            tm.commit();

            await(() -> ls.snapshot().retrying().stream().anyMatch(r -> r.attempts() >= 1));
            LockstepSnapshot s = ls.snapshot();
            RetryingBranch r = s.retrying().get(0);
            assertEquals("db-b", r.resource());
            assertEquals(2, r.branch());
            assertEquals(gtrid, r.gtrid());
            assertEquals(BranchCall.COMMIT, r.call());
            assertNotNull(r.lastError());
            assertTrue(r.lastError().contains("XAER_RMFAIL"), r.lastError());
            assertFalse(r.since().isAfter(s.takenAt()));
            assertEquals(r.since(), s.oldestInDoubtSince().orElseThrow());

            await(() -> ls.snapshot().retrying().isEmpty());
            assertEquals(List.of(), ls.snapshot().retrying());
            assertTrue(b.committed().size() == 1, b.committed().toString());
        }
    }

    /*
     * Scenario: two prepared branches both roll back on their own at commit (XA_HEURRB).
     * Expected: commit() throws HeuristicRollbackException; the snapshot lists both heuristics, ROLLBACK on db-a and
     * db-b, recorded in the log; the total is 2.
     */
    @Test
    void listsTheHeuristicsThisIncarnationReported() throws Exception {
        try (Lockstep ls = builder("snap-d").build()) {
            TransactionManager tm = ls.transactionManager();
            Events events = new Events();
            NamedScriptedXAResource a = new NamedScriptedXAResource("db-a", events);
            NamedScriptedXAResource b = new NamedScriptedXAResource("db-b", events);
            a.failOn(Verb.COMMIT, XAException.XA_HEURRB);
            b.failOn(Verb.COMMIT, XAException.XA_HEURRB);
            tm.begin();
            tm.getTransaction().enlistResource(a);
            tm.getTransaction().enlistResource(b);
            assertThrows(HeuristicRollbackException.class, tm::commit);

            LockstepSnapshot s = ls.snapshot();
            assertEquals(2, s.heuristicsTotal());
            assertEquals(List.of("db-a", "db-b"), s.heuristics().stream().map(RecordedHeuristic::resource).toList());
            for (RecordedHeuristic h : s.heuristics()) {
                assertEquals(HeuristicOutcome.ROLLBACK, h.kind());
                assertTrue(h.recorded(), h.toString());
            }
            assertTrue(s.transactions().isEmpty());
        }
    }

    /** Once closed, the snapshot says why no transaction can be decided. */
    @Test
    void aClosedLockstepReportsItsProblem() {
        Lockstep ls = builder("snap-e").build();
        assertNull(ls.snapshot().problem());
        ls.close();
        String problem = ls.snapshot().problem();
        assertNotNull(problem);
        assertTrue(problem.startsWith("LKS-150"), problem);
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(5);
        }
    }
}
