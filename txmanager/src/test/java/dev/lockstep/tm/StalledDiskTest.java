package dev.lockstep.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.Events;
import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.tm.internal.coordinator.NamedScriptedXAResource;
import dev.lockstep.tm.internal.log.FileLogStorage;
import dev.lockstep.tm.internal.log.ForwardingLogStorage;
import dev.lockstep.tm.internal.log.LogChannel;
import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario (suspected defect (d) of issue 11, confirmed): the disk stalls: a write of the log blocks. The lazy write
 * of END records (once a second) is stuck in it. Meanwhile a transaction passes its timeout.
 * Expected (before the fix the reaper shared the stuck thread and never ran): the transaction is rolled back by its
 * timeout anyway, since a rollback writes nothing to the log.
 */
class StalledDiskTest {

    @TempDir
    Path dir;

    @Test
    void aStalledLogWriteDoesNotStopTimeouts() throws Exception {
        CountDownLatch writeBlocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        StallingStorage storage = new StallingStorage(writeBlocked, release);
        Lockstep.Builder b = Lockstep.builder().nodeId("stall").logDirectory(dir)
                .timeoutCheckInterval(Duration.ofMillis(20));
        try (Lockstep ls = TestAccess.logStorage(b, storage).build()) {
            Events events = new Events();
            TransactionManager tm = ls.transactionManager();
            tm.begin();
            tm.getTransaction().enlistResource(new NamedScriptedXAResource("a", events));
            tm.getTransaction().enlistResource(new NamedScriptedXAResource("b", events));
            tm.commit(); // its END waits, unforced, for the lazy write
            storage.stallNextWrite = true;
            assertTrue(writeBlocked.await(5, TimeUnit.SECONDS), "the lazy write never started");

            tm.setTransactionTimeout(1);
            tm.begin();
            ScriptedXAResource c = new NamedScriptedXAResource("c", events);
            tm.getTransaction().enlistResource(c);
            Transaction late = tm.suspend();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (late.getStatus() != Status.STATUS_ROLLEDBACK && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(Status.STATUS_ROLLEDBACK, late.getStatus(), "the reaper did not run: " + events);
            assertTrue(events.contains("rollback(c)"), events.toString());
            release.countDown();
        } finally {
            release.countDown();
        }
    }

    /** A file storage whose next segment write, once armed, blocks until released. */
    private static final class StallingStorage extends ForwardingLogStorage {
        private final CountDownLatch blocked;
        private final CountDownLatch release;
        volatile boolean stallNextWrite;

        StallingStorage(CountDownLatch blocked, CountDownLatch release) {
            super(new FileLogStorage());
            this.blocked = blocked;
            this.release = release;
        }

        @Override
        public LogChannel createSegment(Path file, byte[] header, long preallocateBytes) throws IOException {
            return new ForwardingLogChannel(delegate.createSegment(file, header, preallocateBytes)) {
                @Override
                public int write(ByteBuffer src, long position) throws IOException {
                    if (stallNextWrite) {
                        stallNextWrite = false;
                        blocked.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return inner.write(src, position);
                }
            };
        }
    }
}
