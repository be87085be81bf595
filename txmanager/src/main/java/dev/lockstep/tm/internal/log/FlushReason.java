package dev.lockstep.tm.internal.log;

/** Why the writer wrote pending records out; each is counted in {@link LogStats}. */
public enum FlushReason {
    /** A committer (or a HEURISTIC/FORGET writer) waits for its record to be durable. */
    COMMIT_WAIT,
    /** A segment was full: it is forced before the next one is written, so the reader can trust the order. */
    ROLL,
    /** The owner's housekeeping timer called {@link DecisionLog#flush(boolean)}, taking END records to disk. */
    HOUSEKEEPING,
    /** Enough END records piled up to fill a batch. */
    BATCH_FULL,
    /** The log was closed. */
    CLOSE
}
