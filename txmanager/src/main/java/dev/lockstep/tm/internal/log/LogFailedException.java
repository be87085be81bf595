package dev.lockstep.tm.internal.log;

import java.io.IOException;

/**
 * A write or force of the decision log failed, so the log is poisoned: a failed batch is never retried, because a
 * force after a failed force proves nothing (the kernel may have dropped the dirty pages). Every waiting and later
 * caller gets this, with the original failure as cause.
 */
public final class LogFailedException extends IOException {

    private final String where;

    public LogFailedException(String where, Throwable cause) {
        super("decision log failed at " + where + ": " + cause + "; no decision is written after this; restart the"
                + " process (recovery finishes what is in doubt)", cause);
        this.where = where;
    }

    /** The operation that failed, with its file and offset. */
    public String where() {
        return where;
    }
}
