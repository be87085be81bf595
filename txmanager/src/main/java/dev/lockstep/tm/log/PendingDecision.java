package dev.lockstep.tm.log;

import java.util.List;

/**
 * A decision that replay found still open: a COMMIT without END or FORGET, or heuristic outcomes not yet forgotten.
 *
 * @param commit the latest copy of the COMMIT record, or {@code null} if only heuristic records survive (a heuristic
 *     reported during a rollback, or a COMMIT whose segment was reclaimed after its END)
 * @param heuristics the heuristic outcomes recorded for the transaction, without duplicates, oldest first
 * @param ended true if an END was read: every branch finished, only the heuristics keep the decision open
 */
public record PendingDecision(CommitRecord commit, List<HeuristicRecord> heuristics, boolean ended) {

    public PendingDecision {
        heuristics = List.copyOf(heuristics);
    }
}
