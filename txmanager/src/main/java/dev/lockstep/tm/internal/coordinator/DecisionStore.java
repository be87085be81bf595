package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.HeuristicRecord;
import java.io.IOException;

/**
 * Where the coordinator writes its decisions: the decision log in production, an event-recording fake in tests.
 * Invariant 1: {@link #recordCommit} returns only once the record is forced to stable storage.
 */
public interface DecisionStore {

    /** Writes the COMMIT decision and returns once it is durable (group-committed with concurrent callers). */
    void recordCommit(CommitRecord record) throws IOException;

    /** Notes that every branch of {@code gtrid} finished; not forced (a lost END only costs recovery a look). */
    void recordEnd(byte[] gtrid);

    /** Writes a heuristic outcome and returns once it is durable; it stays until an operator clears it. */
    void recordHeuristic(HeuristicRecord record) throws IOException;
}
