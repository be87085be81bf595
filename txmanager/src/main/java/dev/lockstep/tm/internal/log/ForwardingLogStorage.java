package dev.lockstep.tm.internal.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/** A LogStorage that forwards every call: the base of decorators that change only a few (crash points, faults). */
public abstract class ForwardingLogStorage implements LogStorage {

    protected final LogStorage delegate;

    protected ForwardingLogStorage(LogStorage delegate) {
        this.delegate = delegate;
    }

    @Override
    public boolean createDirectories(Path dir) throws IOException {
        return delegate.createDirectories(dir);
    }

    @Override
    public LogChannel createSegment(Path file, byte[] header, long preallocateBytes) throws IOException {
        return delegate.createSegment(file, header, preallocateBytes);
    }

    @Override
    public LogChannel recycleSegment(Path spare, Path file, byte[] header) throws IOException {
        return delegate.recycleSegment(spare, file, header);
    }

    @Override
    public LogChannel openForRead(Path file) throws IOException {
        return delegate.openForRead(file);
    }

    @Override
    public void zeroFrom(Path file, long offset) throws IOException {
        delegate.zeroFrom(file, offset);
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        return delegate.list(dir);
    }

    @Override
    public void delete(Path file) throws IOException {
        delegate.delete(file);
    }

    @Override
    public byte[] readSmallFile(Path file) throws IOException {
        return delegate.readSmallFile(file);
    }

    @Override
    public void replaceAtomically(Path file, byte[] content) throws IOException {
        delegate.replaceAtomically(file, content);
    }

    @Override
    public void forceDirectory(Path dir) throws IOException {
        delegate.forceDirectory(dir);
    }

    @Override
    public LockHandle tryLock(Path file) throws IOException {
        return delegate.tryLock(file);
    }

    /** A LogChannel that forwards every call. */
    public static class ForwardingLogChannel implements LogChannel {
        protected final LogChannel inner;

        public ForwardingLogChannel(LogChannel inner) {
            this.inner = inner;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return inner.write(src, position);
        }

        @Override
        public void force() throws IOException {
            inner.force();
        }

        @Override
        public long size() throws IOException {
            return inner.size();
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return inner.read(dst, position);
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }
}
