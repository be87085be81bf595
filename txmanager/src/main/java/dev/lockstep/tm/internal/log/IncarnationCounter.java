package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.RecordCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The file {@code <nodeDir>/incarnation}: the last incarnation number a start of the node took, as a big-endian i64
 * followed by the CRC32C of those 8 bytes. The log opener counts on from it; recovery reads it to tell a retired
 * incarnation (not newer than the counter) from a log that is missing.
 */
public final class IncarnationCounter {

    private static final int FILE_BYTES = 12;

    private IncarnationCounter() {
    }

    /** The last incarnation recorded in {@code nodeDir}, or null if the node has no counter (it never started). */
    public static Long read(LogStorage storage, Path nodeDir) throws IOException {
        Path file = nodeDir.resolve(LogLayout.INCARNATION_FILE);
        byte[] content = storage.readSmallFile(file);
        if (content == null) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(content);
        if (content.length != FILE_BYTES || b.getInt(8) != RecordCodec.crc(content, 0, 8)) {
            throw new IOException("incarnation counter " + file + " is damaged (" + content.length
                    + " bytes, CRC mismatch or wrong size); it must hold the last incarnation number; if no other"
                    + " process writes this log, delete the file and the next start counts on from the highest"
                    + " incarnation on disk");
        }
        return b.getLong(0);
    }

    /** Replaces the counter of {@code nodeDir} by {@code incarnation}, atomically and durably. */
    static void write(LogStorage storage, Path nodeDir, long incarnation) throws IOException {
        byte[] out = new byte[FILE_BYTES];
        ByteBuffer.wrap(out).putLong(incarnation);
        ByteBuffer.wrap(out).putInt(8, RecordCodec.crc(out, 0, 8));
        storage.replaceAtomically(nodeDir.resolve(LogLayout.INCARNATION_FILE), out);
    }
}
