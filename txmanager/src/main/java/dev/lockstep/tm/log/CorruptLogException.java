package dev.lockstep.tm.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Damage of data that was forced, so acknowledged (invariant 8, docs/log-format.md "Reading"): a bad frame below a
 * MARK's forcedTo in the open segment or before a sealed segment's data end, a missing listed segment, a damaged
 * header or manifest, or segment data without a manifest. It is not a torn tail that was never acknowledged, so
 * replay stops instead of skipping a decision silently.
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

    /** The file that holds the damage (a segment, or the manifest), or the listed segment that is missing. */
    public Path file() {
        return file;
    }

    /** The byte offset of the damaged frame (or header) within {@link #file()}. */
    public long offset() {
        return offset;
    }
}
