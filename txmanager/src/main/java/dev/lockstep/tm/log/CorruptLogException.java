package dev.lockstep.tm.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A damaged frame sits before valid ones (DESIGN.md invariant 8): the damage is not a torn tail that was never
 * acknowledged but lost data in the middle of the log, so replay stops instead of skipping a decision silently.
 */
public final class CorruptLogException extends IOException {

    private final transient Path file;
    private final long offset;

    public CorruptLogException(Path file, long offset, String problem, Throwable cause) {
        super("decision log corrupt: " + file + " at offset " + offset + ": " + problem
                + "; refusing to guess; restore the file or ask the recovery service's operator guide", cause);
        this.file = file;
        this.offset = offset;
    }

    /** The segment file that holds the damaged frame. */
    public Path file() {
        return file;
    }

    /** The byte offset of the damaged frame (or header) within {@link #file()}. */
    public long offset() {
        return offset;
    }
}
