package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.spi.CrashPoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Raises crash point C7 ("in the middle of writing the record") from inside the log's file I/O: every write to a
 * segment first writes half of its bytes, then calls the hook (a crash test halts the JVM there), then the rest.
 * Installed only when a crash hook is set, so production writes are untouched.
 */
public final class CrashPointLogStorage extends ForwardingLogStorage {

    private final CrashPoint.Hook hook;

    public CrashPointLogStorage(LogStorage delegate, CrashPoint.Hook hook) {
        super(delegate);
        this.hook = hook;
    }

    @Override
    public LogChannel createSegment(Path file, byte[] header, long preallocateBytes) throws IOException {
        return midRecord(delegate.createSegment(file, header, preallocateBytes));
    }

    @Override
    public LogChannel recycleSegment(Path spare, Path file, byte[] header) throws IOException {
        return midRecord(delegate.recycleSegment(spare, file, header));
    }

    private LogChannel midRecord(LogChannel channel) {
        return new ForwardingLogChannel(channel) {
            @Override
            public int write(ByteBuffer src, long position) throws IOException {
                int total = src.remaining();
                if (total < 2) {
                    return inner.write(src, position);
                }
                ByteBuffer firstHalf = src.duplicate();
                firstHalf.limit(src.position() + total / 2);
                int written = 0;
                while (firstHalf.hasRemaining()) {
                    written += inner.write(firstHalf, position + written);
                }
                src.position(firstHalf.position());
                hook.reached(CrashPoint.C7_MID_RECORD);
                while (src.hasRemaining()) {
                    written += inner.write(src, position + written);
                }
                return written;
            }
        };
    }
}
