package dev.lockstep.tm.recovery;

/** An operator's decision for a transaction recovery will not finish on its own ({@link Recovery#resolve}). */
public enum Verdict {
    COMMIT,
    ROLLBACK
}
