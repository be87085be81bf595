package dev.lockstep.tm.internal.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Positional I/O on one log file; the subset of {@code FileChannel} the log needs, so tests can inject faults. */
public interface LogChannel extends Closeable {

    /** Writes some bytes of {@code src} at {@code position}; returns how many (callers loop). */
    int write(ByteBuffer src, long position) throws IOException;

    /** Makes every written byte durable (file data; the size does not change after preallocation). */
    void force() throws IOException;

    long size() throws IOException;

    /** Reads into {@code dst} from {@code position}; returns the count, or -1 at end of file. */
    int read(ByteBuffer dst, long position) throws IOException;
}
