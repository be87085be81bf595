package dev.lockstep.bench.micro;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import javax.transaction.xa.XAResource;

/**
 * Ceiling with the best batching: records go into a preallocated (zero-filled and forced) file, and concurrent
 * writers share forces, leader/follower style. A writer appends its record to the pending batch under the lock;
 * if no force is running it becomes the leader: it takes the whole batch, writes and forces it outside the lock,
 * and wakes the writers whose records it covered. Others park until their record is durable or they are woken to
 * lead the next batch. A lone writer pays exactly one force per record; no one ever waits for a timer.
 *
 * <p>Wake-ups are exact, as in Lockstep's own log since issue 5: a condition's signalAll would wake every parked
 * writer through the lock after each force, those whose records were not in the batch too, and with many writers on
 * few cores those futex calls cost more than the force. A ceiling must not be beaten by a smarter wake-up.
 */
public final class GroupCommitCeiling implements TxSystem {

    private final PreallocatedFile file;
    private final int recordBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition batchTaken = lock.newCondition();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private ByteBuffer pending;
    private ByteBuffer spare;
    private long appended;      // records appended so far
    private volatile long durable; // records forced so far
    private boolean forcing;
    private long forces;

    public GroupCommitCeiling(Path dir, int recordBytes) throws IOException {
        this.file = new PreallocatedFile(dir.resolve("group-commit.log"));
        this.recordBytes = recordBytes;
        this.pending = ByteBuffer.allocateDirect(1 << 20);
        this.spare = ByteBuffer.allocateDirect(1 << 20);
    }

    /** A writer parked until its record is durable, or until it is woken to lead the next batch. */
    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        final long record;
        volatile Wakeup wakeup; // null while it waits

        Waiter(long record) {
            this.record = record;
        }
    }

    /** One batch's woken writers; each one woken helps unpark the rest, so the calls spread over the cores. */
    private static final class Wakeup {
        final Waiter[] waiters;
        final int count;
        final AtomicInteger next = new AtomicInteger();

        Wakeup(Waiter[] waiters, int count) {
            this.waiters = waiters;
            this.count = count;
        }

        void help() {
            int i;
            while ((i = next.getAndIncrement()) < count) {
                LockSupport.unpark(waiters[i].thread);
            }
        }
    }

    @Override
    public void transaction(XAResource[] ignored) throws IOException, InterruptedException {
        long mine;
        lock.lock();
        try {
            while (pending.remaining() < recordBytes) { // batch buffer full: wait for the running force to take it
                batchTaken.await(1, TimeUnit.MILLISECONDS);
            }
            mine = ++appended;
            int start = pending.position();
            pending.putLong(mine);
            pending.position(start + recordBytes);
        } finally {
            lock.unlock();
        }
        while (durable < mine) {
            Waiter parked = null;
            Wakeup wake = null;
            lock.lock();
            try {
                if (durable >= mine) {
                    return;
                }
                if (!forcing) {
                    forcing = true;
                    ByteBuffer batch = pending;
                    long batchEnd = appended;
                    pending = spare;
                    pending.clear();
                    batchTaken.signalAll();
                    lock.unlock();
                    try {
                        file.writeAndForce(batch);
                    } finally {
                        lock.lock();
                        spare = batch;
                        forcing = false;
                        forces++;
                        durable = batchEnd;
                        wake = finished();
                    }
                } else {
                    parked = new Waiter(mine);
                    waiters.add(parked);
                }
            } finally {
                lock.unlock();
            }
            if (parked == null) {
                if (wake != null) {
                    wake.help();
                }
            } else {
                while (parked.wakeup == null) {
                    LockSupport.park(this);
                }
                parked.wakeup.help();
            }
        }
    }

    /** With the lock held after a force: the waiters it made durable, and the oldest of the rest to lead next. */
    private Wakeup finished() {
        if (waiters.isEmpty()) {
            return null;
        }
        Waiter[] wake = new Waiter[waiters.size()];
        int n = 0;
        boolean leaderChosen = false;
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            boolean done = w.record <= durable;
            if (done || !leaderChosen) {
                leaderChosen |= !done;
                it.remove();
                wake[n++] = w;
            }
        }
        Wakeup wakeup = new Wakeup(wake, n);
        for (int i = 0; i < n; i++) {
            wake[i].wakeup = wakeup;
        }
        return wakeup;
    }

    @Override
    public boolean drivesResources() {
        return false;
    }

    @Override
    public String selfCheck(long completed, Map<String, Long> counterDeltas) {
        lock.lock();
        try {
            long records = counterDeltas.getOrDefault("records", -1L);
            if (durable != appended || records != completed) {
                return completed + " transactions completed but " + records + " records appended, and "
                        + (appended - durable) + " appended records not forced";
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Map<String, String> configuration() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("record", recordBytes + " bytes (Lockstep's COMMIT record of two branches, docs/log-format.md)");
        c.put("write", "leader/follower group commit: one positional write of the whole pending batch, then "
                + "force(false); no timer, a lone writer forces each record; the leader wakes exactly the writers "
                + "it made durable and one to lead next, and the woken writers share the unparking");
        c.put("file", file.describe());
        return c;
    }

    @Override
    public Map<String, Long> counters() {
        lock.lock();
        try {
            Map<String, Long> c = new LinkedHashMap<>();
            c.put("forces", forces);
            c.put("records", appended);
            return c;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
