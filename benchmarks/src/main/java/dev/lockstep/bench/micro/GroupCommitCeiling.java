package dev.lockstep.bench.micro;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.transaction.xa.XAResource;

/**
 * Ceiling with the best batching: records go into a preallocated (zero-filled and forced) file, and concurrent
 * writers share forces, leader/follower style. A writer appends its record to the pending batch under the lock;
 * if no force is running it becomes the leader: it takes the whole batch, writes and forces it outside the lock,
 * and wakes the writers whose records it covered. Others wait until their record is durable or lead the next batch.
 * A lone writer pays exactly one force per record; no one ever waits for a timer.
 */
public final class GroupCommitCeiling implements TxSystem {

    private static final long FILE_BYTES = 64L << 20;

    private final Path file;
    private final FileChannel channel;
    private final int recordBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition durableMoved = lock.newCondition();
    private ByteBuffer pending;
    private ByteBuffer spare;
    private long appended;      // records appended so far
    private long durable;       // records forced so far
    private boolean forcing;
    private long forces;
    private long filePosition;

    public GroupCommitCeiling(Path dir, int recordBytes) throws IOException {
        this.file = dir.resolve("group-commit.log");
        this.recordBytes = recordBytes;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        for (long pos = 0; pos < FILE_BYTES; pos += zeros.capacity()) {
            zeros.clear();
            while (zeros.hasRemaining()) {
                channel.write(zeros, pos + zeros.position());
            }
        }
        channel.force(true);
        this.pending = ByteBuffer.allocateDirect(1 << 20);
        this.spare = ByteBuffer.allocateDirect(1 << 20);
    }

    @Override
    public void transaction(XAResource[] ignored) throws IOException, InterruptedException {
        long mine;
        lock.lock();
        try {
            while (pending.remaining() < recordBytes) { // batch buffer full: wait for the running force
                durableMoved.await(1, TimeUnit.MILLISECONDS);
            }
            mine = ++appended;
            int start = pending.position();
            pending.putLong(mine);
            pending.position(start + recordBytes);
            while (durable < mine) {
                if (!forcing) {
                    forcing = true;
                    ByteBuffer batch = pending;
                    long batchEnd = appended;
                    pending = spare;
                    pending.clear();
                    lock.unlock();
                    try {
                        writeAndForce(batch);
                    } finally {
                        lock.lock();
                        spare = batch;
                        forcing = false;
                        forces++;
                        durable = batchEnd;
                        durableMoved.signalAll();
                    }
                } else {
                    durableMoved.await();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writes the batch at the current position (wrapping to the start of the file at its end) and forces it. */
    private void writeAndForce(ByteBuffer batch) throws IOException {
        batch.flip();
        if (filePosition + batch.remaining() > FILE_BYTES) {
            filePosition = 0;
        }
        while (batch.hasRemaining()) {
            filePosition += channel.write(batch, filePosition);
        }
        channel.force(false);
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
                + "force(false); no timer, a lone writer forces each record");
        c.put("file", file + ", preallocated " + (FILE_BYTES >> 20) + " MiB (zeros written and forced first)");
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
        channel.close();
    }
}
