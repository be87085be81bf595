package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogManifest;
import dev.lockstep.tm.log.LogSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Small file helpers shared by the log's writer, opener, takeover, retirement and recovery. */
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

    /** {@code storage} as the reader sees it: a missing file reads as null. */
    static LogSource source(LogStorage storage) {
        return new LogSource() {
            @Override
            public List<Path> list(Path dir) throws IOException {
                return storage.list(dir);
            }

            @Override
            public byte[] read(Path file) throws IOException {
                try {
                    return readAll(storage, file);
                } catch (NoSuchFileException e) {
                    return null;
                }
            }
        };
    }

    /** Replaces the manifest of {@code manifest.incarnation()} in {@code nodeDir} atomically and durably. */
    static void writeManifest(LogStorage storage, Path nodeDir, LogManifest manifest) throws IOException {
        storage.replaceAtomically(nodeDir.resolve(LogLayout.manifestFileName(manifest.incarnation())),
                manifest.encode());
    }
}
