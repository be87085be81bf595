package dev.lockstep.tm.internal.log;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Small file helpers shared by the log's opener, takeover and retirement. */
final class LogFiles {

    private LogFiles() {
    }

    /** The whole content of {@code file}, read through {@code storage}. */
    static byte[] readAll(LogStorage storage, Path file) throws IOException {
        try (LogChannel ch = storage.openForRead(file)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(ch.size(), Integer.MAX_VALUE - 8));
            ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
            long pos = 0;
            int n;
            while ((n = ch.read(buf.clear(), pos)) > 0) {
                out.write(buf.array(), 0, n);
                pos += n;
            }
            return out.toByteArray();
        }
    }
}
