package dev.lockstep.tm;

/**
 * A snapshot of Lockstep's counters since it was built.
 *
 * @param begun              transactions begun
 * @param committed          transactions committed (including one-phase and read-only ones)
 * @param committedOnePhase  of those, committed in one phase (a single branch, no log record)
 * @param committedReadOnly  of those, where every branch voted read-only (no log record)
 * @param rolledBack         transactions rolled back (including timed-out ones)
 * @param timedOut           transactions rolled back by the timeout reaper
 * @param heuristic          transactions with a heuristic outcome
 * @param unknownOutcome     transactions whose COMMIT record may or may not have reached the disk (a failed write or
 *                           force): their branches were left prepared for recovery, and commit() said so
 *                           (TmMessage.OUTCOME_UNKNOWN)
 * @param phaseTwoRetries    background retries of phase-two calls
 * @param pendingBranches    branches still being retried in the background
 * @param logForces          forces of the decision log (group commit shares one among concurrent committers)
 * @param logRecords         records appended to the decision log
 * @param logBytes           bytes written to the decision log
 */
public record LockstepMetrics(long begun, long committed, long committedOnePhase, long committedReadOnly,
                              long rolledBack, long timedOut, long heuristic, long unknownOutcome,
                              long phaseTwoRetries, long pendingBranches, long logForces, long logRecords,
                              long logBytes) {
}
