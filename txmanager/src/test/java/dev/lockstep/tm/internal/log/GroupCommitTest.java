package dev.lockstep.tm.internal.log;

import static dev.lockstep.tm.internal.log.Records.commit;
import static dev.lockstep.tm.internal.log.Records.end;
import static dev.lockstep.tm.internal.log.Records.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.log.ReplayResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/design.md invariant 10: concurrent committers share forces, a single committer pays exactly one. */
class GroupCommitTest {

    private static final int THREADS = 32;
    private static final int PER_THREAD = 200;

    @TempDir
    Path dir;

    @Test
    void concurrentCommittersShareForcesAndAllAreDurable() throws Exception {
        LogStats stats;
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()).log()) {
            stats = runConcurrently(log);
        }
        assertEquals(THREADS * PER_THREAD, stats.records());
        assertTrue(stats.forces() < stats.records() / 2, "forces must be shared: " + stats.forces()
                + " forces for " + stats.records() + " records");
        assertEquals(THREADS * PER_THREAD, stats.liveDecisions());
        OpenedLog reopened = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage());
        try (DecisionLog log = reopened.log()) {
            assertEquals(2, log.incarnation());
            ReplayResult replay = reopened.inDoubt().get(0).replay();
            assertEquals(THREADS * PER_THREAD, replay.pending().size());
            for (long n = 0; n < THREADS * PER_THREAD; n++) {
                assertEquals(commit(n), replay.pending().get(key(n)).commit());
            }
        }
    }

    @Test
    void aWaitingPolicyStillMakesEveryCommitDurable() throws Exception {
        LogSettings settings = LogFixture.settings(dir).withPolicy(new GroupCommitPolicy(64 * 1024,
                Duration.ofMillis(2)));
        try (DecisionLog log = DecisionLog.open(settings, new FaultyLogStorage().skipSync()).log()) {
            LogStats stats = runConcurrently(log);
            assertTrue(stats.forces() < stats.records() / 2, stats.toString());
        }
        OpenedLog reopened = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage());
        try (DecisionLog log = reopened.log()) {
            assertEquals(2, log.incarnation());
            assertEquals(THREADS * PER_THREAD, reopened.inDoubt().get(0).replay().pending().size());
        }
    }

    @Test
    void aSingleCommitterPaysExactlyOneForcePerCommit() throws Exception {
        FaultyLogStorage storage = new FaultyLogStorage();
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), storage).log()) {
            for (long n = 1; n <= 50; n++) {
                log.writeCommit(commit(n));
                log.writeEnd(end(n)); // rides the next force
            }
            LogStats stats = log.stats();
            assertEquals(50, stats.forces());
            assertEquals(50, storage.segmentForces());
            assertEquals(50, stats.flushes(FlushReason.COMMIT_WAIT));
            assertEquals(100, stats.records());
            assertEquals(1, stats.liveDecisions(), "END(50) is still pending in memory");
            log.flush(false);
            assertEquals(50, log.stats().forces(), "an unforced flush writes without forcing");
            assertEquals(0, log.stats().liveDecisions());
            log.flush(true);
            assertEquals(51, log.stats().forces());
            log.flush(true);
            assertEquals(51, log.stats().forces(), "nothing new: no force");
            assertEquals(2, log.stats().flushes(FlushReason.HOUSEKEEPING));
        }
    }

    /*
     * Scenario: 32 threads each write COMMIT then END, 200 times, into batches of at most 4 KiB (so END writers
     * also wait, for a write without a force, when a batch is full), while another thread calls the housekeeping
     * flush in a loop.
     * Expected: nobody is left parked (the run ends), every COMMIT is durable and every END is written, so nothing
     * is pending after the log is reopened.
     */
    @Test
    void committersEndersAndFlushesAllFinishWithSmallBatches() throws Exception {
        LogSettings settings = LogFixture.settings(dir).withPolicy(new GroupCommitPolicy(4096, Duration.ZERO));
        try (DecisionLog log = DecisionLog.open(settings, new FaultyLogStorage().skipSync()).log()) {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
            try {
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                Future<?> flusher = pool.submit(() -> {
                    while (!stop.get()) {
                        log.flush(false);
                        log.flush(true);
                    }
                    return null;
                });
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < PER_THREAD; i++) {
                            long n = (long) thread * PER_THREAD + i;
                            log.writeCommit(commit(n));
                            log.writeEnd(end(n));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
                stop.set(true);
                flusher.get(60, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(2L * THREADS * PER_THREAD, log.stats().records());
        }
        OpenedLog reopened = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage());
        try (DecisionLog log = reopened.log()) {
            assertTrue(reopened.inDoubt().isEmpty() || reopened.inDoubt().get(0).replay().pending().isEmpty(),
                    "every COMMIT has its END on disk");
        }
    }

    /*
     * Scenario: 32 committers; after a while every force fails.
     * Expected: each committer gets a LogFailedException (outcome unknown: its record was in the failing batch) or a
     * DecisionNotRecordedException (appended after that batch was taken, or after the failure); none hangs; every
     * commit that returned normally is on disk, and none that was "not recorded" is.
     */
    @Test
    void aFailedForceReachesEveryParkedCommitter() throws Exception {
        FaultyLogStorage storage = new FaultyLogStorage().skipSync();
        java.util.Set<Long> returned = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.Set<Long> notRecorded = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), storage).log()) {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; ; i++) {
                            long n = (long) thread * 1_000_000 + i;
                            if (thread == 0 && i == 100) {
                                storage.failForce();
                            }
                            try {
                                log.writeCommit(commit(n));
                            } catch (dev.lockstep.tm.internal.coordinator.DecisionNotRecordedException e) {
                                notRecorded.add(n);
                                throw e;
                            }
                            returned.add(n);
                        }
                    }));
                }
                for (Future<?> f : futures) {
                    java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                            java.util.concurrent.ExecutionException.class,
                            () -> f.get(60, java.util.concurrent.TimeUnit.SECONDS));
                    assertTrue(e.getCause() instanceof LogFailedException || e.getCause() instanceof
                            dev.lockstep.tm.internal.coordinator.DecisionNotRecordedException
                            && e.getCause().getCause() instanceof LogFailedException, String.valueOf(e.getCause()));
                }
            } finally {
                pool.shutdownNow();
            }
        } catch (java.io.IOException closeAfterFailure) {
            // close() reports the poisoned log; the check below is what matters
        }
        OpenedLog reopened = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage());
        try (DecisionLog log = reopened.log()) {
            java.util.Map<dev.lockstep.tm.log.Gtrid, ?> pending = reopened.inDoubt().get(0).replay().pending();
            for (long n : returned) {
                assertTrue(pending.containsKey(key(n)), "commit " + n + " returned but is not on disk");
            }
            for (long n : notRecorded) {
                assertTrue(!pending.containsKey(key(n)), "commit " + n + " was reported not recorded but is on disk");
            }
        }
    }

    private static LogStats runConcurrently(DecisionLog log) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < PER_THREAD; i++) {
                        log.writeCommit(commit((long) thread * PER_THREAD + i));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
            return log.stats();
        } finally {
            pool.shutdownNow();
        }
    }
}
