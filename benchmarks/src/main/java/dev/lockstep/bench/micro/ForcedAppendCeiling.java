package dev.lockstep.bench.micro;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import javax.transaction.xa.XAResource;

/**
 * Ceiling without batching: each "transaction" appends one record of the size of Lockstep's COMMIT record to a
 * growing file and forces it, one force per record, serialized under one lock (one log, one writer at a time). No
 * XA calls: this is what a log that forces every decision alone can do on this disk.
 */
public final class ForcedAppendCeiling implements TxSystem {

    private final Path file;
    private final FileChannel channel;
    private final int recordBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final LongAdder forced = new LongAdder();
    private long sequence;

    public ForcedAppendCeiling(Path dir, int recordBytes) throws IOException {
        this.file = dir.resolve("forced-append.log");
        this.recordBytes = recordBytes;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    @Override
    public void transaction(XAResource[] ignored) throws IOException {
        ByteBuffer record = ByteBuffer.allocate(recordBytes);
        lock.lock();
        try {
            record.putLong(0, ++sequence);
            while (record.hasRemaining()) {
                channel.write(record);
            }
            channel.force(false);
        } finally {
            lock.unlock();
        }
        forced.increment();
    }

    @Override
    public boolean drivesResources() {
        return false;
    }

    @Override
    public String selfCheck(long completed, Map<String, Long> counterDeltas) {
        long f = counterDeltas.getOrDefault("forces", -1L);
        return f == completed ? null : completed + " transactions completed but " + f + " records forced";
    }

    @Override
    public Map<String, String> configuration() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("record", recordBytes + " bytes (Lockstep's COMMIT record of two branches, docs/log-format.md)");
        c.put("write", "FileChannel.write in append mode to a growing file, then force(false), one force per "
                + "record, under one lock");
        c.put("file", file.toString());
        return c;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("forces", forced.sum());
        return c;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
