package dev.lockstep.tm.spi;

/**
 * The named points of docs/design.md section 3 at which the crash tests halt a process, so that recovery can be checked
 * from every state a transaction can be left in.
 */
public enum CrashPoint {
    /** Completion started, before any prepare. */
    C1_BEFORE_PREPARE,
    /** After the first branch prepared, the others not yet (only with two or more branches). */
    C2_SOME_PREPARED,
    /** All branches prepared, the COMMIT record not yet forced. */
    C3_ALL_PREPARED,
    /** The COMMIT record is forced, no branch committed. */
    C4_DECISION_FORCED,
    /** The first branch committed, the others not yet (only with two or more prepared branches). */
    C5_SOME_COMMITTED,
    /** All branches committed, the END record not yet written. */
    C6_ALL_COMMITTED,
    /**
     * Halfway through writing the COMMIT record to the log file (raised by the log storage); with the database store,
     * once the batch carrying the COMMIT committed in the database and before its committer is told (raised by the
     * store's writer).
     */
    C7_MID_RECORD;

    /** Called by the transaction manager at each crash point; tests halt the JVM here. Must be cheap when unused. */
    @FunctionalInterface
    public interface Hook {
        Hook NONE = point -> { };

        void reached(CrashPoint point);
    }
}
