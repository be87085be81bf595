package dev.lockstep.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.testkit.ScriptedXAResource.Verb;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.events.TransactionEvent.BranchCall;
import dev.lockstep.tm.events.TransactionEvent.BranchFinished;
import dev.lockstep.tm.events.TransactionEvent.BranchResult;
import dev.lockstep.tm.events.TransactionEvent.BranchRetried;
import dev.lockstep.tm.recovery.InDoubtTransaction;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.ScanReport;
import dev.lockstep.tm.spi.NamedXAResource;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meters, fed by a real Lockstep over its file log, and by recovery's events. */
class LockstepMeterBinderTest {

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    static void run(TransactionManager tm, boolean commit, ScriptedXAResource... rms) throws Exception {
        tm.begin();
        for (ScriptedXAResource rm : rms) {
            tm.getTransaction().enlistResource(NamedXAResource.wrap(rm.resourceName(), rm));
        }
        if (commit) {
            tm.commit();
        } else {
            tm.rollback();
        }
    }

    /*
     * Scenario: three two-phase commits, one one-phase commit, one rollback, one prepare veto, one heuristic rollback
     * of both branches, on a Lockstep with the binder as its listener; then close (which delivers every event).
     * Expected: the counters by outcome, the timers by resource, the log's forces and batches, no active transaction.
     */
    @Test
    void metersOfTransactions() throws Exception {
        LockstepMeterBinder binder = new LockstepMeterBinder();
        binder.bindTo(registry);
        try (Lockstep ls = Lockstep.builder().nodeId("m1").logDirectory(dir).listener(binder).build()) {
            TransactionManager tm = ls.transactionManager();
            for (int i = 0; i < 3; i++) {
                run(tm, true, new ScriptedXAResource("db-a"), new ScriptedXAResource("db-b"));
            }
            run(tm, true, new ScriptedXAResource("db-a"));
            run(tm, false, new ScriptedXAResource("db-a"), new ScriptedXAResource("db-b"));
            assertThrows(RollbackException.class, () -> run(tm, true, new ScriptedXAResource("db-a"),
                    new ScriptedXAResource("db-b").failOn(Verb.PREPARE, XAException.XAER_RMERR)));
            assertThrows(HeuristicRollbackException.class, () -> run(tm, true,
                    new ScriptedXAResource("db-a").failOn(Verb.COMMIT, XAException.XA_HEURRB),
                    new ScriptedXAResource("db-b").failOn(Verb.COMMIT, XAException.XA_HEURRB)));
        }
        assertEquals(4, registry.get("lockstep.transactions").tag("outcome", "committed").counter().count());
        assertEquals(2, registry.get("lockstep.transactions").tag("outcome", "rolled_back").counter().count());
        assertEquals(1, registry.get("lockstep.transactions").tag("outcome", "heuristic").counter().count());
        assertEquals(0, registry.get("lockstep.transactions").tag("outcome", "unknown").counter().count());
        assertEquals(4, registry.get("lockstep.commit.duration").tag("outcome", "committed").timer().count());
        assertEquals(1, registry.get("lockstep.commit.duration").tag("outcome", "rolled_back").timer().count(),
                "the veto was a commit that rolled back; the rollback() is not a commit");
        assertEquals(5, registry.get("lockstep.branch.prepare").tags("resource", "db-a", "vote", "prepared")
                .timer().count());
        assertEquals(1, registry.get("lockstep.branch.prepare").tags("resource", "db-b", "vote", "failed")
                .timer().count());
        assertEquals(4, registry.get("lockstep.branch.commit").tags("resource", "db-a", "result", "done")
                .timer().count(), "three after a decision and one in one phase");
        assertEquals(1, registry.get("lockstep.branch.commit").tags("resource", "db-b", "result", "heuristic")
                .timer().count());
        assertEquals(2, registry.get("lockstep.heuristics").counter().count());
        assertEquals(0, registry.get("lockstep.transactions.active").gauge().value());
        long forces = registry.get("lockstep.log.force").timer().count();
        assertTrue(forces >= 4, "a force for each of the 4 COMMIT records, and for the heuristics: " + forces);
        assertTrue(registry.get("lockstep.log.force").timer().totalTime(TimeUnit.NANOSECONDS) > 0);
        assertEquals(forces, registry.get("lockstep.log.batch.size").summary().count());
        assertTrue(registry.get("lockstep.log.batch.size").summary().totalAmount() >= forces);
    }

    @Test
    void activeTransactionsAreCountedUntilTheyComplete() throws Exception {
        LockstepMeterBinder binder = new LockstepMeterBinder();
        binder.bindTo(registry);
        try (Lockstep ls = Lockstep.builder().nodeId("m2").logDirectory(dir).listener(binder).build()) {
            ls.transactionManager().begin();
            awaitGauge("lockstep.transactions.active", 1);
            ls.transactionManager().rollback();
            awaitGauge("lockstep.transactions.active", 0);
        }
    }

    @Test
    void branchesWaitingForARetry() {
        LockstepMeterBinder binder = new LockstepMeterBinder();
        binder.bindTo(registry);
        binder.onEvent(new BranchFinished(1, "db-a", 1, BranchCall.COMMIT, BranchResult.RETRY, 10));
        binder.onEvent(new BranchFinished(1, "db-b", 2, BranchCall.COMMIT, BranchResult.RETRY, 10));
        assertEquals(2, registry.get("lockstep.branches.retrying").gauge().value());
        binder.onEvent(new BranchRetried(1, "db-a", 1, BranchCall.COMMIT, 1, BranchResult.RETRY, 10));
        assertEquals(2, registry.get("lockstep.branches.retrying").gauge().value(), "still trying");
        binder.onEvent(new BranchRetried(1, "db-a", 1, BranchCall.COMMIT, 2, BranchResult.DONE, 10));
        binder.onEvent(new BranchRetried(1, "db-b", 2, BranchCall.COMMIT, 1, BranchResult.HEURISTIC, 10));
        assertEquals(0, registry.get("lockstep.branches.retrying").gauge().value());
    }

    /*
     * Scenario: a scan leaves two transactions in doubt, begun 90 s and 30 s ago; 10 s pass; a later scan finds none.
     * Expected: the oldest age is 90 s, then 100 s (it grows between scans), then 0; the scan timer and the actions
     * by kind are counted, a recorded heuristic too.
     */
    @Test
    void inDoubtAgeFromRecoveryScans() {
        MockClock clock = new MockClock();
        SimpleMeterRegistry timed = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
        LockstepMeterBinder binder = new LockstepMeterBinder(ObservationRegistry.NOOP, Tags.of("node", "n1"));
        binder.bindTo(timed);
        Instant now = Instant.ofEpochMilli(clock.wallTime());
        binder.scanStarted(now);
        binder.onAction(new RecoveryAction(now, RecoveryAction.Kind.RECOVER_SCAN, false, null, null, null, "pg",
                "XAER_RMFAIL"));
        binder.onAction(new RecoveryAction(now, RecoveryAction.Kind.HEURISTIC, true, "n1", "ab", "01", "pg",
                "XA_HEURRB"));
        binder.scanFinished(report(Duration.ofMillis(250), inDoubt(now.minusSeconds(30)), inDoubt(now.minusSeconds(90))));

        assertEquals(90, timed.get("lockstep.indoubt.oldest.age").tag("node", "n1").gauge().value());
        assertEquals(2, timed.get("lockstep.indoubt.transactions").gauge().value());
        clock.add(Duration.ofSeconds(10));
        assertEquals(100, timed.get("lockstep.indoubt.oldest.age").gauge().value());
        assertEquals(1, timed.get("lockstep.recovery.actions").tags("kind", "recover_scan", "ok", "false")
                .counter().count(), "an unreachable resource");
        assertEquals(1, timed.get("lockstep.heuristics").counter().count());

        binder.scanFinished(report(Duration.ofMillis(50)));
        assertEquals(0, timed.get("lockstep.indoubt.oldest.age").gauge().value());
        assertEquals(2, timed.get("lockstep.recovery.scan").timer().count());
        assertEquals(300, timed.get("lockstep.recovery.scan").timer().totalTime(TimeUnit.MILLISECONDS));
    }

    @Test
    void boundToTwoRegistriesBothCount() throws Exception {
        SimpleMeterRegistry other = new SimpleMeterRegistry();
        LockstepMeterBinder binder = new LockstepMeterBinder();
        binder.bindTo(registry);
        binder.bindTo(other);
        try (Lockstep ls = Lockstep.builder().nodeId("m3").logDirectory(dir).listener(binder).build()) {
            run(ls.transactionManager(), true, new ScriptedXAResource("db-a"));
        }
        assertEquals(1, registry.get("lockstep.transactions").tag("outcome", "committed").counter().count());
        assertEquals(1, other.get("lockstep.transactions").tag("outcome", "committed").counter().count());
    }

    @Test
    void withoutRecoveryTheInDoubtAgeIsZero() {
        new LockstepMeterBinder().bindTo(registry);
        assertEquals(0, registry.get("lockstep.indoubt.oldest.age").gauge().value());
    }

    private static ScanReport report(Duration took, InDoubtTransaction... inDoubt) {
        return new ScanReport(Instant.EPOCH, took, List.of(), List.of(), List.of(inDoubt), List.of());
    }

    private static InDoubtTransaction inDoubt(Instant begin) {
        return new InDoubtTransaction("ab", "n1", 1, 1, begin, begin.plusSeconds(60),
                InDoubtTransaction.Owner.DEAD, InDoubtTransaction.Decision.NONE, null, List.of(), List.of(),
                "resource 'pg' is unreachable");
    }

    private void awaitGauge(String name, double value) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (registry.get(name).gauge().value() != value) {
            if (System.nanoTime() > end) {
                throw new AssertionError(name + " is " + registry.get(name).gauge().value() + ", not " + value);
            }
            Thread.sleep(5);
        }
    }
}
