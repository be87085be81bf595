package dev.lockstep.tm.recovery;

import dev.lockstep.tm.log.HeuristicOutcome;
import java.time.Instant;
import java.util.List;

/**
 * A transaction of one of recovery's nodes that is not finished: a branch still prepared in some resource, or a
 * decision still open in the log (a COMMIT without END, or heuristics no operator cleared).
 *
 * @param gtrid the global transaction id in lower-case hex (what {@link Recovery#resolve} takes)
 * @param nodeId the node that began it
 * @param incarnation the process start of that node
 * @param sequence the transaction's number within the incarnation
 * @param begin when it began
 * @param deadline begin plus timeout: no COMMIT decision may be written after it (docs/design.md invariant 5)
 * @param owner whether the incarnation that began it still runs
 * @param decision what the log says
 * @param decidedAt when the COMMIT decision was written, or null
 * @param branches every branch known from the resources' {@code recover()} lists and the COMMIT record
 * @param heuristics heuristic outcomes recorded for it and not cleared
 * @param waitingFor why recovery has not finished it yet, in words
 */
public record InDoubtTransaction(String gtrid, String nodeId, long incarnation, long sequence, Instant begin,
        Instant deadline, Owner owner, Decision decision, Instant decidedAt, List<BranchState> branches,
        List<Heuristic> heuristics, String waitingFor) {

    public InDoubtTransaction {
        branches = List.copyOf(branches);
        heuristics = List.copyOf(heuristics);
    }

    /** Whether the incarnation that owns the transaction is alive. */
    public enum Owner {
        /** Its log lock is held: the live transaction manager may still decide. */
        ALIVE,
        /** Its log lock is free (or its log was retired): nobody else will decide. */
        DEAD,
        /** The node's log is missing in the configured directory: recovery will not presume anything. */
        NO_LOG
    }

    /** What the decision log says. */
    public enum Decision {
        /** A durable COMMIT record: every branch must commit. */
        COMMIT,
        /** No COMMIT record: presumed abort once the owner is dead or past the deadline plus the safety interval. */
        NONE
    }

    /** One branch and where it stands. */
    public record BranchState(String resource, String bqual, State state) {
    }

    /** Where a branch stands in its resource. */
    public enum State {
        /** Listed by the resource's {@code recover()}: prepared (or heuristically completed), waiting for phase two. */
        IN_DOUBT,
        /** Not listed by a {@code recover()} that answered: finished. */
        FINISHED,
        /** Its resource could not be asked (unreachable, or not configured). */
        UNKNOWN
    }

    /** A heuristic outcome from the log. */
    public record Heuristic(String resource, String bqual, HeuristicOutcome outcome, Instant at) {
    }
}
