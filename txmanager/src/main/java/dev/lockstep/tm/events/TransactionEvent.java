package dev.lockstep.tm.events;

import dev.lockstep.tm.log.HeuristicOutcome;
import java.util.Objects;

/**
 * Something that happened to a transaction, one of its branches, or the decision log, as a {@link TransactionListener}
 * is told it. One closed set of immutable records, so that a listener can forward any of them (to a queue, a stream, a
 * log line) without knowing each, and test for the ones it handles with {@code instanceof}.
 *
 * <p>A transaction is named by {@code txId}, the sequence number in its gtrid: unique within one start (incarnation) of
 * a node, and the same in every event about it; {@link TransactionBegun} also gives the gtrid itself. A branch is named
 * by its resource (the name it is recorded under, invariant 3) and its branch number within the transaction.
 * Durations are in nanoseconds, measured on the thread that did the work.
 *
 * <p>A two-phase commit of branches a and b that vote yes tells, in this order for each branch: {@link TransactionBegun},
 * {@link BranchEnlisted} (a, b), {@link CompletionStarted}, {@link BranchCallStarted} and {@link PrepareVoted} (a, b),
 * {@link DecisionLogged} (with the {@link LogForced} of its batch before it, from the log writer), {@link
 * BranchCallStarted} and {@link BranchFinished} (a, b), {@link TransactionCompleted}. docs/operations.md lists the
 * sequences of one-phase commits, rollbacks, timeouts, heuristics and retries.
 */
public sealed interface TransactionEvent {

    /** Why a transaction completes. */
    enum CompletionCause {
        /** The application called {@code commit()}. */
        COMMIT,
        /** The application called {@code rollback()}. */
        ROLLBACK,
        /** The reaper rolls it back: it passed its timeout (or was still running when Lockstep closed). */
        TIMEOUT
    }

    /** Which XA call on a branch. */
    enum BranchCall {
        PREPARE,
        /** {@code commit(xid, true)} of the only branch: no prepare, no decision record. */
        ONE_PHASE_COMMIT,
        /** {@code commit(xid, false)} after the COMMIT decision is durable. */
        COMMIT,
        ROLLBACK
    }

    /** A branch's answer to prepare. */
    enum PrepareVote {
        /** Yes: it will be finished in phase two. */
        PREPARED,
        /** It did no work and drops out. */
        READ_ONLY,
        /** The resource had rolled it back: the transaction rolls back. */
        ROLLED_BACK,
        /** An error: the transaction rolls back. */
        FAILED
    }

    /** What a commit or rollback call on a branch achieved. */
    enum BranchResult {
        /** The decided outcome was reached (committed, or rolled back). */
        DONE,
        /** A one-phase commit the resource answered by rolling back. */
        ROLLED_BACK,
        /** The resource could not be reached: the background retrier (or recovery) finishes it. */
        RETRY,
        /** The resource decided on its own, or lost the branch: a {@link HeuristicReported} follows. */
        HEURISTIC
    }

    /** How a transaction ended. */
    enum TransactionOutcome {
        /** Committed; branches left to the retrier commit later (the decision is durable). */
        COMMITTED,
        ROLLED_BACK,
        /** Some branch decided otherwise on its own (heuristic mixed, rollback, hazard, or commit on a rollback). */
        HEURISTIC,
        /** The COMMIT record may or may not be durable (TmMessage.OUTCOME_UNKNOWN): recovery decides. */
        UNKNOWN
    }

    /**
     * A transaction began.
     *
     * @param transaction how Lockstep names it in messages
     * @param gtrid its global transaction id, lower-case hex
     */
    record TransactionBegun(long txId, String transaction, String gtrid, int timeoutSeconds)
            implements TransactionEvent {
        public TransactionBegun {
            Objects.requireNonNull(transaction, "transaction");
            Objects.requireNonNull(gtrid, "gtrid");
        }
    }

    /** A resource joined the transaction as a new branch ({@code start} succeeded). */
    record BranchEnlisted(long txId, String resource, int branch) implements TransactionEvent {
    }

    /**
     * Completion of the transaction started: the time from here to {@link TransactionCompleted} is the commit (or
     * rollback) duration.
     *
     * @param branches the branches enlisted
     */
    record CompletionStarted(long txId, CompletionCause cause, int branches) implements TransactionEvent {
    }

    /** An XA call on a branch is about to be made, on the thread that makes it: the start of a branch's span. */
    record BranchCallStarted(long txId, String resource, int branch, BranchCall call) implements TransactionEvent {
    }

    /** A branch answered prepare, after {@code nanos}. */
    record PrepareVoted(long txId, String resource, int branch, PrepareVote vote, long nanos)
            implements TransactionEvent {
    }

    /**
     * The COMMIT record of the transaction is durable: written and forced with its batch, {@code nanos} after it was
     * handed to the log (waiting for the batch included). {@link LogForced} reports the force itself.
     *
     * @param branches the prepared branches the record lists
     */
    record DecisionLogged(long txId, int branches, long nanos) implements TransactionEvent {
    }

    /**
     * The file log wrote and forced one batch of records (group commit, invariant 10): not about one transaction, but
     * about every transaction whose COMMIT rode in it.
     *
     * @param records the records of the batch (COMMIT, HEURISTIC and unforced END records appended meanwhile)
     * @param bytes the bytes written
     * @param nanos the time of the write and the force
     */
    record LogForced(int records, long bytes, long nanos) implements TransactionEvent {
    }

    /** A branch answered its commit or rollback call (the first attempt), after {@code nanos}. */
    record BranchFinished(long txId, String resource, int branch, BranchCall call, BranchResult result, long nanos)
            implements TransactionEvent {
    }

    /**
     * The background retrier tried a branch again ({@code attempt} 1 is the first retry, after the first call of
     * phase two); {@code result} is {@link BranchResult#RETRY} while it must go on trying.
     */
    record BranchRetried(long txId, String resource, int branch, BranchCall call, int attempt, BranchResult result,
            long nanos) implements TransactionEvent {
    }

    /** The reaper claimed the transaction: it passed its timeout and rolls back. */
    record TransactionTimedOut(long txId, int timeoutSeconds) implements TransactionEvent {
    }

    /**
     * A branch ended with a heuristic outcome (invariant 7).
     *
     * @param recorded true once the HEURISTIC record is durable in the log; false if writing it failed (TmMessage.HEURISTIC_NOT_RECORDED), in
     *     which case the resource still lists the branch and recovery finds it
     */
    record HeuristicReported(long txId, String resource, int branch, HeuristicOutcome kind, boolean recorded)
            implements TransactionEvent {
    }

    /**
     * The transaction completed, after its afterCompletion callbacks.
     *
     * @param branches the branches enlisted
     * @param completionNanos from {@link CompletionStarted} to here
     * @param totalNanos from begin to here
     */
    record TransactionCompleted(long txId, TransactionOutcome outcome, CompletionCause cause, int branches,
            long completionNanos, long totalNanos) implements TransactionEvent {
    }
}
