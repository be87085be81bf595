package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.spi.CrashPoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Raises crash point C7 ("in the middle of writing the record") from inside the log's file I/O: every write to a
 * segment first writes half of its bytes, then calls the hook (a crash test halts the JVM there), then the rest.
 * Installed only when a crash hook is set, so production writes are untouched.
 */
public final class CrashPointLogStorage implements LogStorage {

    private final LogStorage delegate;
    private final CrashPoint.Hook hook;

    public CrashPointLogStorage(LogStorage delegate, CrashPoint.Hook hook) {
        this.delegate = delegate;
        this.hook = hook;
    }

    @Override
    public LogChannel createSegment(Path file, byte[] header, long preallocateBytes) throws IOException {
        LogChannel channel = delegate.createSegment(file, header, preallocateBytes);
        return new LogChannel() {
            @Override
            public int write(ByteBuffer src, long position) throws IOException {
                int total = src.remaining();
                if (total < 2) {
                    return channel.write(src, position);
                }
                ByteBuffer firstHalf = src.duplicate();
                firstHalf.limit(src.position() + total / 2);
                int written = 0;
                while (firstHalf.hasRemaining()) {
                    written += channel.write(firstHalf, position + written);
                }
                src.position(firstHalf.position());
                hook.reached(CrashPoint.C7_MID_RECORD);
                while (src.hasRemaining()) {
                    written += channel.write(src, position + written);
                }
                return written;
            }

            @Override
            public void force() throws IOException {
                channel.force();
            }

            @Override
            public long size() throws IOException {
                return channel.size();
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return channel.read(dst, position);
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    @Override
    public boolean createDirectories(Path dir) throws IOException {
        return delegate.createDirectories(dir);
    }

    @Override
    public LogChannel openForRead(Path file) throws IOException {
        return delegate.openForRead(file);
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
}
