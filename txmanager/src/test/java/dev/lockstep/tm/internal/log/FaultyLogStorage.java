package dev.lockstep.tm.internal.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link FileLogStorage} that fails on command: the Nth segment write, every force from now on, or a write torn
 * after k bytes (the first k bytes land on disk, then the write throws, as when the machine dies mid-write). It can
 * also skip real fsyncs, for tests that count forces but must not pay for thousands of them.
 */
final class FaultyLogStorage extends ForwardingLogStorage {

    private final FileLogStorage real;
    private final AtomicInteger writes = new AtomicInteger();
    private final AtomicInteger forces = new AtomicInteger();
    private volatile int failWriteNumber = -1;
    private volatile int tearWriteNumber = -1;
    private volatile int tearAfterBytes;
    private volatile boolean failForce;
    private volatile boolean skipSync;
    private final AtomicInteger deletesToFail = new AtomicInteger();
    private final AtomicInteger deletes = new AtomicInteger();

    /** Makes the {@code n}th segment write from now (1 = the next) throw. */
    FaultyLogStorage failWrite(int n) {
        failWriteNumber = writes.get() + n;
        return this;
    }

    /** Makes the {@code n}th segment write from now write only its first {@code k} bytes, then throw. */
    FaultyLogStorage tearWrite(int n, int k) {
        tearWriteNumber = writes.get() + n;
        tearAfterBytes = k;
        return this;
    }

    /** Makes every force of a segment throw from now on. */
    FaultyLogStorage failForce() {
        failForce = true;
        return this;
    }

    /** Makes the next {@code n} deletes throw, the file left in place. */
    FaultyLogStorage failDeletes(int n) {
        deletesToFail.set(n);
        return this;
    }

    /** How many deletes were asked for (failed ones included). */
    int deletes() {
        return deletes.get();
    }

    /** Counts forces of segment data without syncing (the data still goes through the page cache). */
    FaultyLogStorage skipSync() {
        skipSync = true;
        return this;
    }

    FaultyLogStorage() {
        this(new FileLogStorage());
    }

    private FaultyLogStorage(FileLogStorage real) {
        super(real);
        this.real = real;
    }

    int segmentForces() {
        return forces.get();
    }

    @Override
    public LogChannel createSegment(Path file, byte[] header, long preallocateBytes) throws IOException {
        return new FaultyChannel(real.createSegment(file, header, preallocateBytes));
    }

    @Override
    public LogChannel recycleSegment(Path spare, Path file, byte[] header) throws IOException {
        return new FaultyChannel(real.recycleSegment(spare, file, header));
    }

    @Override
    public void delete(Path file) throws IOException {
        deletes.incrementAndGet();
        if (deletesToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IOException("injected failure of delete of " + file);
        }
        super.delete(file);
    }

    @Override
    public void forceDirectory(Path dir) throws IOException {
        if (!skipSync) {
            real.forceDirectory(dir);
        }
    }

    private final class FaultyChannel extends ForwardingLogChannel {

        FaultyChannel(LogChannel inner) {
            super(inner);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            int n = writes.incrementAndGet();
            if (n == failWriteNumber) {
                throw new IOException("injected failure of write #" + n);
            }
            if (n == tearWriteNumber) {
                ByteBuffer head = src.duplicate();
                head.limit(head.position() + Math.min(tearAfterBytes, head.remaining()));
                while (head.hasRemaining()) {
                    inner.write(head, position + (head.position() - src.position()));
                }
                throw new IOException("injected torn write #" + n + " after " + tearAfterBytes + " bytes");
            }
            return inner.write(src, position);
        }

        @Override
        public void force() throws IOException {
            if (failForce) {
                throw new IOException("injected failure of force");
            }
            forces.incrementAndGet();
            if (!skipSync) {
                inner.force();
            }
        }
    }
}
