package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.events.TransactionEvent;
import dev.lockstep.tm.events.TransactionEvent.BranchCall;
import dev.lockstep.tm.events.TransactionEvent.BranchCallStarted;
import dev.lockstep.tm.events.TransactionEvent.BranchFinished;
import dev.lockstep.tm.events.TransactionEvent.BranchResult;
import dev.lockstep.tm.events.TransactionEvent.CompletionCause;
import dev.lockstep.tm.events.TransactionEvent.CompletionStarted;
import dev.lockstep.tm.events.TransactionEvent.PrepareVote;
import dev.lockstep.tm.events.TransactionEvent.PrepareVoted;
import dev.lockstep.tm.events.TransactionEvent.TransactionCompleted;
import dev.lockstep.tm.events.TransactionEvent.TransactionOutcome;
import dev.lockstep.tm.internal.events.EventDispatcher;
import dev.lockstep.tm.internal.xa.XaCodes.PhaseTwoOutcome;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds the {@link TransactionEvent}s of the coordinator's steps and publishes them. Every caller checks
 * {@code c.events != null} first, so that without a listener no event is built, no clock is read and nothing is
 * allocated (docs/operations.md, "Events and metrics"). Times are read on the coordinator's monotonic clock, the one
 * of deadlines ({@code System.nanoTime} outside tests). The results of a phase (votes, commit and rollback answers) are
 * published by the coordinating thread once the phase has joined, in branch order, with the time each call took on
 * the thread that made it.
 */
final class CoordinatorEvents {

    private CoordinatorEvents() {
    }

    /**
     * Runs {@code call} on {@code b}, one of {@code branches}; with a listener, tells that it starts and keeps its
     * duration in {@code nanos} at the branch's index. The durations live in that array, made per phase only when a
     * listener is registered, rather than in a field of every branch: without a listener nothing grows.
     */
    static void timed(Coordinator c, LockstepTransaction tx, List<Branch> branches, Branch b, BranchCall kind,
            Consumer<Branch> call, long[] nanos) {
        if (c.events == null) {
            call.accept(b);
            return;
        }
        c.events.publish(new BranchCallStarted(tx.sequence, b.resourceName, b.xid.branchNumber(), kind));
        long t0 = c.nanoTime.getAsLong();
        call.accept(b);
        nanos[branches.indexOf(b)] = c.nanoTime.getAsLong() - t0;
    }

    /** Tells that completion starts; returns when, for {@link #completed}. */
    static long completionStarted(Coordinator c, LockstepTransaction tx, CompletionCause cause) {
        c.events.publish(new CompletionStarted(tx.sequence, cause, tx.branches.size()));
        return c.nanoTime.getAsLong();
    }

    static void voted(EventDispatcher events, LockstepTransaction tx, List<Branch> branches, long[] nanos) {
        for (int i = 0; i < branches.size(); i++) {
            Branch b = branches.get(i);
            PrepareVote vote = switch (b.vote) {
                case PREPARED -> PrepareVote.PREPARED;
                case READ_ONLY -> PrepareVote.READ_ONLY;
                case ROLLED_BACK -> PrepareVote.ROLLED_BACK;
                case FAILED -> PrepareVote.FAILED;
            };
            events.publish(new PrepareVoted(tx.sequence, b.resourceName, b.xid.branchNumber(), vote, nanos[i]));
        }
    }

    /** The answers of a phase two (the first attempt) on {@code branches}, which took {@code nanos}. */
    static void finished(EventDispatcher events, LockstepTransaction tx, List<Branch> branches, BranchCall kind,
            long[] nanos) {
        for (int i = 0; i < branches.size(); i++) {
            finished(events, tx, branches.get(i), kind, resultOf(branches.get(i).phaseTwo), nanos[i]);
        }
    }

    static void finished(EventDispatcher events, LockstepTransaction tx, Branch b, BranchCall kind,
            BranchResult result, long nanos) {
        events.publish(new BranchFinished(tx.sequence, b.resourceName, b.xid.branchNumber(), kind, result, nanos));
    }

    static BranchResult resultOf(PhaseTwoOutcome outcome) {
        return switch (outcome) {
            case DONE -> BranchResult.DONE;
            case RETRY -> BranchResult.RETRY;
            default -> BranchResult.HEURISTIC;
        };
    }

    /** After the afterCompletion callbacks, whichever way the transaction ended. */
    static void completed(Coordinator c, LockstepTransaction tx, CompletionCause cause, long startedNanos) {
        long now = c.nanoTime.getAsLong();
        TransactionOutcome outcome = switch (tx.state()) {
            case COMMITTED -> TransactionOutcome.COMMITTED;
            case ROLLED_BACK -> TransactionOutcome.ROLLED_BACK;
            case HEURISTIC_ROLLBACK, HEURISTIC_MIXED, HEURISTIC_HAZARD, HEURISTIC_COMMIT ->
                    TransactionOutcome.HEURISTIC;
            default -> TransactionOutcome.UNKNOWN; // UNKNOWN, or a completion that threw halfway (a bug)
        };
        c.events.publish(new TransactionCompleted(tx.sequence, outcome, cause, tx.branches.size(), now - startedNanos,
                now - tx.beginNanos()));
    }
}
