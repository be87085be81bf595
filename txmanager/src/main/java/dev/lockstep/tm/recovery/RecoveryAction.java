package dev.lockstep.tm.recovery;

import java.time.Instant;
import java.util.Objects;

/**
 * One thing recovery did (or tried), for structured log lines and reports.
 *
 * @param at when it happened
 * @param kind what was done
 * @param ok true if it reached its goal; false if it must be tried again (see {@code detail})
 * @param nodeId the node of the transaction, or of the log, or null for a resource-wide action
 * @param gtrid the global transaction id in lower-case hex, or null
 * @param bqual the branch qualifier in lower-case hex, or null
 * @param resource the resource name, or null
 * @param detail what happened, in words: the XA code of a failure, the reason for a decision
 */
public record RecoveryAction(Instant at, Kind kind, boolean ok, String nodeId, String gtrid, String bqual,
        String resource, String detail) {

    /** What an action is. */
    public enum Kind {
        /** {@code recover()} on a resource. */
        RECOVER_SCAN,
        /** Commit of an in-doubt branch whose transaction has a COMMIT decision. */
        COMMIT,
        /** Rollback of an in-doubt branch whose transaction has no decision (presumed abort). */
        ROLLBACK,
        /** {@code forget()} of a heuristically completed branch, after an operator's resolve. */
        FORGET,
        /** A heuristic outcome recorded in the log (the resource decided on its own). */
        HEURISTIC,
        /** An END record written: every branch of the decision is finished. */
        END,
        /** A COMMIT record written by an operator's resolve --commit. */
        DECIDE,
        /** The log of a dead incarnation taken over (its lock taken). */
        TAKE_OVER,
        /** A dead incarnation's log deleted because nothing in it is open. */
        RETIRE,
        /** A log that cannot be read (corrupt), or another problem that needs an operator. */
        ERROR
    }

    public RecoveryAction {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }
}
