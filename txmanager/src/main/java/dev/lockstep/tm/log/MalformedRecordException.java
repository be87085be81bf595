package dev.lockstep.tm.log;

import java.io.IOException;

/**
 * A payload or header whose bytes do not decode as format version {@value RecordCodec#FORMAT_VERSION}: it is
 * truncated, names an unknown record type or outcome, or has trailing bytes.
 */
public final class MalformedRecordException extends IOException {

    public MalformedRecordException(String message) {
        super(message);
    }
}
