package dev.lockstep.tm.internal.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Every file operation of the decision log. One seam, so tests can fail the Nth write, fail a force or tear a write
 * (STYLE.md point 6) and the writer's error handling is proven rather than hoped for.
 */
public interface LogStorage {

    /** Creates {@code dir} and its parents; returns true if it did not exist (the caller then forces the parent). */
    boolean createDirectories(Path dir) throws IOException;

    /**
     * Creates a new file (it must not exist) that starts with {@code header} and is filled with zeros up to
     * {@code preallocateBytes}, forced with its metadata: later forces of data written inside it are then cheap
     * data-only syncs, and the zeros mark the end of the data for the reader. The caller forces the directory.
     */
    LogChannel createSegment(Path file, byte[] header, long preallocateBytes) throws IOException;

    /**
     * Recycles the segment file {@code spare}, which no manifest lists any more, as {@code file} (which must not
     * exist): renames it, overwrites its first bytes with {@code header} and forces its data. Nothing else of the file
     * changes: what follows the header is the earlier pass's bytes, which format version 3 reads as the end of the
     * data (docs/log-format.md, "Recycling"). The caller forces the directory.
     */
    LogChannel recycleSegment(Path spare, Path file, byte[] header) throws IOException;

    LogChannel openForRead(Path file) throws IOException;

    /**
     * Overwrites {@code file} with zeros from {@code offset} to its end and forces it: the repair of a torn tail
     * before a recovery appends to a dead incarnation's log, so the reader sees a clean end of data there.
     */
    void zeroFrom(Path file, long offset) throws IOException;

    /** The entries of {@code dir}; empty if it does not exist. */
    List<Path> list(Path dir) throws IOException;

    void delete(Path file) throws IOException;

    /** The whole content of a small file, or {@code null} if it does not exist. */
    byte[] readSmallFile(Path file) throws IOException;

    /** Replaces {@code file} by {@code content} atomically: write a temporary file, force, rename, force the dir. */
    void replaceAtomically(Path file, byte[] content) throws IOException;

    /** Makes the creation, rename or deletion of entries of {@code dir} durable. */
    void forceDirectory(Path dir) throws IOException;

    /**
     * Takes an exclusive OS lock on {@code file} (created if missing) without blocking; {@code null} if another
     * process or another owner in this JVM holds it.
     */
    LockHandle tryLock(Path file) throws IOException;

    /** A held lock; closing releases it. */
    interface LockHandle extends AutoCloseable {
        Path file();

        @Override
        void close() throws IOException;
    }
}
