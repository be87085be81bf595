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

/** DESIGN.md invariant 10: concurrent committers share forces, a single committer pays exactly one. */
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
