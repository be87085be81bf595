package dev.lockstep.tm.internal.log;

import static dev.lockstep.tm.internal.log.Records.commit;
import static dev.lockstep.tm.internal.log.Records.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A committer whose thread is interrupted (an application's Future.cancel(true), a pool shutting down) still has a
 * COMMIT decision in flight: it cannot be abandoned, so it waits for its record like any other and returns with its
 * interrupt flag set.
 */
class InterruptedCommitterTest {

    @TempDir
    Path dir;

    /*
     * Scenario: a first committer's force blocks; a second committer, interrupted before it commits, parks behind it.
     * Expected: while the force is blocked the parked thread burns (almost) no CPU time; once the force finishes it
     * returns normally, its COMMIT durable, its interrupt flag still set.
     */
    @Test
    void anInterruptedCommitterParksWithoutSpinningAndKeepsItsFlag() throws Exception {
        CountDownLatch forceEntered = new CountDownLatch(1);
        CountDownLatch releaseForce = new CountDownLatch(1);
        AtomicBoolean blockNextForce = new AtomicBoolean(false);
        LogStorage storage = new ForwardingLogStorage(new FileLogStorage()) {
            @Override
            public LogChannel createSegment(Path file, byte[] header, long bytes) throws IOException {
                return new ForwardingLogChannel(delegate.createSegment(file, header, bytes)) {
                    @Override
                    public void force() throws IOException {
                        if (blockNextForce.compareAndSet(true, false)) {
                            forceEntered.countDown();
                            try {
                                releaseForce.await();
                            } catch (InterruptedException e) {
                                throw new IOException(e);
                            }
                        }
                        inner.force();
                    }
                };
            }
        };
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), storage).log()) {
            blockNextForce.set(true);
            Thread first = new Thread(() -> {
                try {
                    log.writeCommit(commit(1));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            first.start();
            assertTrue(forceEntered.await(10, TimeUnit.SECONDS));
            AtomicReference<Throwable> secondFailure = new AtomicReference<>();
            AtomicBoolean flagOnReturn = new AtomicBoolean();
            Thread second = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    log.writeCommit(commit(2));
                    flagOnReturn.set(Thread.currentThread().isInterrupted());
                } catch (Throwable t) {
                    secondFailure.set(t);
                }
            });
            second.start();
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            Thread.sleep(100); // let it reach the waiter queue
            long cpuBefore = mx.getThreadCpuTime(second.getId());
            Thread.sleep(400);
            long cpuUsed = mx.getThreadCpuTime(second.getId()) - cpuBefore;
            releaseForce.countDown();
            first.join(10_000);
            second.join(10_000);
            assertTrue(cpuUsed < 50_000_000L, "the parked committer used " + cpuUsed / 1_000_000 + " ms of CPU in 400 ms:"
                    + " it spins instead of parking");
            assertEquals(null, secondFailure.get());
            assertTrue(flagOnReturn.get(), "the interrupt is re-asserted when the commit returns");
        }
        assertPendingAfterReopen(2);
    }

    /*
     * Scenario: a lone committer whose thread is already interrupted commits; it takes the writer token and does the
     * write and force itself.
     * Expected: the commit succeeds (an interruptible channel would have been closed by the interrupt, poisoning the
     * log for every later committer) and the next commit, from a thread that is not interrupted, succeeds too.
     */
    @Test
    void anInterruptedLoneCommitterDoesNotPoisonTheLog() throws Exception {
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()).log()) {
            Thread.currentThread().interrupt();
            try {
                log.writeCommit(commit(1));
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is re-asserted");
            } finally {
                Thread.interrupted();
            }
            log.writeCommit(commit(2));
        }
        assertPendingAfterReopen(2);
    }

    /*
     * Scenario: the thread holding the writer token is interrupted while it is inside the write of its batch, then
     * (next commit) inside the force: another thread cancelling it (Future.cancel(true)) at the worst moment. A
     * FileChannel closes itself then (ClosedByInterruptException).
     * Expected: both commits return normally with their interrupt flag set again, the log is not poisoned (a third
     * commit, not interrupted, succeeds), and all three COMMITs are on disk.
     */
    @Test
    void anInterruptDuringTheWriteOrTheForceDoesNotPoisonTheLog() throws Exception {
        AtomicBoolean interruptInWrite = new AtomicBoolean();
        AtomicBoolean interruptInForce = new AtomicBoolean();
        LogStorage storage = new ForwardingLogStorage(new FileLogStorage()) {
            @Override
            public LogChannel createSegment(Path file, byte[] header, long bytes) throws IOException {
                return new ForwardingLogChannel(delegate.createSegment(file, header, bytes)) {
                    @Override
                    public int write(ByteBuffer src, long position) throws IOException {
                        if (interruptInWrite.compareAndSet(true, false)) {
                            Thread.currentThread().interrupt(); // arrives as the channel starts the write
                        }
                        return inner.write(src, position);
                    }

                    @Override
                    public void force() throws IOException {
                        if (interruptInForce.compareAndSet(true, false)) {
                            Thread.currentThread().interrupt();
                        }
                        inner.force();
                    }
                };
            }
        };
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), storage).log()) {
            for (AtomicBoolean where : java.util.List.of(interruptInWrite, interruptInForce)) {
                where.set(true);
                try {
                    log.writeCommit(commit(where == interruptInWrite ? 1 : 2));
                    assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is re-asserted");
                } finally {
                    Thread.interrupted();
                }
            }
            log.writeCommit(commit(3));
        }
        assertPendingAfterReopen(3);
    }

    private void assertPendingAfterReopen(int commits) throws IOException {
        OpenedLog reopened = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage());
        try (DecisionLog log = reopened.log()) {
            var pending = reopened.inDoubt().get(0).replay().pending();
            assertEquals(commits, pending.size());
            for (long n = 1; n <= commits; n++) {
                assertTrue(pending.containsKey(key(n)));
            }
        }
    }
}
