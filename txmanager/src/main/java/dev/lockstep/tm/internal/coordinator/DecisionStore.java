package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.HeuristicRecord;
import java.io.IOException;

/**
 * Where the coordinator writes its decisions: the decision log in production, an event-recording fake in tests.
 * Invariant 1: {@link #recordCommit} returns only once the record is forced to stable storage.
 */
public interface DecisionStore {

    /**
     * Writes the COMMIT decision and returns once it is durable (group-committed with concurrent callers).
     *
     * @throws DecisionNotRecordedException if the record certainly reached no storage: the caller may presume abort
     * @throws IOException (any other) if the write failed in a way that may have left the record durable: the outcome
     *     is unknown, and the caller must leave every prepared branch to recovery, which reads what the store holds
     */
    void recordCommit(CommitRecord record) throws IOException;

    /** Notes that every branch of {@code gtrid} finished; not forced (a lost END only costs recovery a look). */
    void recordEnd(byte[] gtrid);

    /**
     * Writes a heuristic outcome and returns once it is durable; it stays until an operator clears it. Only after it
     * returned may the resource be told to {@code forget} the branch (invariant 7).
     */
    void recordHeuristic(HeuristicRecord record) throws IOException;

    /**
     * What this store does after a {@link #recordCommit} whose outcome is unknown, in a sentence for the application's
     * error ({@link dev.lockstep.tm.messages.TmMessage#OUTCOME_UNKNOWN}): whether it takes further decisions, and what the operator should do.
     */
    default String afterUnknownCommit() {
        return "";
    }
}
