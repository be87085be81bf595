package dev.lockstep.bench.micro;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import javax.transaction.xa.XAResource;

/**
 * The second group-commit ceiling (issue 15): one dedicated writer thread writes and forces each batch while the
 * committers wait. A committer appends its record to the pending batch under a lock, wakes the writer if it sleeps,
 * and parks until its record is durable. The writer takes whatever is pending, writes it and forces it, wakes exactly
 * the committers it made durable, and starts on the next batch at once: no committer has to be woken to lead the
 * next force, so the disk is never idle while records wait, which a leader/follower scheme ({@link
 * GroupCommitCeiling}) pays for with one wake-up per batch on the critical path. A lone committer pays two thread
 * hand-offs per record on top of its force.
 *
 * <p>The same file layout as the other ceilings: a preallocated, zero-filled and forced file, positional writes,
 * {@code force(false)}.
 */
public final class WriterThreadCeiling implements TxSystem {

    private final PreallocatedFile file;
    private final int recordBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Thread writer;
    private ByteBuffer pending;
    private ByteBuffer spare;
    private List<Waiter> pendingWaiters = new ArrayList<>();
    private List<Waiter> spareWaiters = new ArrayList<>();
    private long appended;
    private volatile long durable;
    private boolean writerSleeping;
    private volatile boolean closing;
    private volatile IOException failure;
    private long forces;

    public WriterThreadCeiling(Path dir, int recordBytes) throws IOException {
        this.file = new PreallocatedFile(dir.resolve("writer-thread.log"));
        this.recordBytes = recordBytes;
        this.pending = ByteBuffer.allocateDirect(1 << 20);
        this.spare = ByteBuffer.allocateDirect(1 << 20);
        this.writer = new Thread(this::run, "ceiling-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** A committer parked until its record is durable. */
    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        final long record;

        Waiter(long record) {
            this.record = record;
        }
    }

    @Override
    public void transaction(XAResource[] ignored) throws IOException {
        long mine;
        boolean wake;
        lock.lock();
        try {
            while (pending.remaining() < recordBytes) { // the batch buffer is full: let the writer take it
                lock.unlock();
                Thread.onSpinWait();
                lock.lock();
            }
            mine = ++appended;
            int start = pending.position();
            pending.putLong(mine);
            pending.position(start + recordBytes);
            pendingWaiters.add(new Waiter(mine));
            wake = writerSleeping;
            writerSleeping = false;
        } finally {
            lock.unlock();
        }
        if (wake) {
            LockSupport.unpark(writer);
        }
        while (durable < mine) {
            if (failure != null) {
                throw failure;
            }
            LockSupport.park(this);
        }
    }

    private void run() {
        while (true) {
            ByteBuffer batch;
            List<Waiter> waiters;
            long batchEnd;
            lock.lock();
            try {
                while (pending.position() == 0) {
                    if (closing) {
                        return;
                    }
                    writerSleeping = true;
                    lock.unlock();
                    LockSupport.parkNanos(this, 10_000_000L);
                    lock.lock();
                }
                batch = pending;
                pending = spare;
                pending.clear();
                waiters = pendingWaiters;
                pendingWaiters = spareWaiters;
                batchEnd = appended;
            } finally {
                lock.unlock();
            }
            try {
                file.writeAndForce(batch);
            } catch (IOException e) {
                failure = e;
            }
            lock.lock();
            try {
                spare = batch;
                forces++;
                durable = batchEnd;
            } finally {
                lock.unlock();
            }
            for (Waiter w : waiters) {
                LockSupport.unpark(w.thread);
            }
            waiters.clear();
            lock.lock();
            try {
                spareWaiters = waiters;
            } finally {
                lock.unlock();
            }
        }
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
        c.put("write", "one dedicated writer thread: it takes the whole pending batch, writes it positionally, "
                + "force(false), unparks exactly the committers it made durable and starts the next batch at once; "
                + "committers append under a lock and park");
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
    public void close() throws IOException, InterruptedException {
        closing = true;
        LockSupport.unpark(writer);
        writer.join(10_000);
        file.close();
    }
}
