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

    /** Runs {@code call} on {@code b}, telling that it starts and keeping its duration in {@code b.callNanos}. */
    static void timed(Coordinator c, LockstepTransaction tx, Branch b, BranchCall kind, Consumer<Branch> call) {
        if (c.events == null) {
            call.accept(b);
            return;
        }
        c.events.publish(new BranchCallStarted(tx.sequence, b.resourceName, b.xid.branchNumber(), kind));
        long t0 = c.nanoTime.getAsLong();
        call.accept(b);
        b.callNanos = c.nanoTime.getAsLong() - t0;
    }

    static void completionStarted(Coordinator c, LockstepTransaction tx, CompletionCause cause) {
        tx.completionCause = cause;
        tx.completionStartNanos = c.nanoTime.getAsLong();
        c.events.publish(new CompletionStarted(tx.sequence, cause, tx.branches.size()));
    }

    static void voted(EventDispatcher events, LockstepTransaction tx, List<Branch> branches) {
        for (Branch b : branches) {
            PrepareVote vote = switch (b.vote) {
                case PREPARED -> PrepareVote.PREPARED;
                case READ_ONLY -> PrepareVote.READ_ONLY;
                case ROLLED_BACK -> PrepareVote.ROLLED_BACK;
                case FAILED -> PrepareVote.FAILED;
            };
            events.publish(new PrepareVoted(tx.sequence, b.resourceName, b.xid.branchNumber(), vote, b.callNanos));
        }
    }

    /** The answers of a phase two (the first attempt) on {@code branches}. */
    static void finished(EventDispatcher events, LockstepTransaction tx, List<Branch> branches, BranchCall kind) {
        for (Branch b : branches) {
            finished(events, tx, b, kind, resultOf(b.phaseTwo));
        }
    }

    static void finished(EventDispatcher events, LockstepTransaction tx, Branch b, BranchCall kind,
            BranchResult result) {
        events.publish(new BranchFinished(tx.sequence, b.resourceName, b.xid.branchNumber(), kind, result,
                b.callNanos));
    }

    static BranchResult resultOf(PhaseTwoOutcome outcome) {
        return switch (outcome) {
            case DONE -> BranchResult.DONE;
            case RETRY -> BranchResult.RETRY;
            default -> BranchResult.HEURISTIC;
        };
    }

    /** After the afterCompletion callbacks, whichever way the transaction ended. */
    static void completed(Coordinator c, LockstepTransaction tx) {
        long now = c.nanoTime.getAsLong();
        TxState state = tx.state();
        TransactionOutcome outcome = switch (state) {
            case COMMITTED -> TransactionOutcome.COMMITTED;
            case ROLLED_BACK -> TransactionOutcome.ROLLED_BACK;
            case HEURISTIC_ROLLBACK, HEURISTIC_MIXED, HEURISTIC_HAZARD, HEURISTIC_COMMIT ->
                    TransactionOutcome.HEURISTIC;
            default -> TransactionOutcome.UNKNOWN; // UNKNOWN, or a completion that threw halfway (a bug)
        };
        long started = tx.completionCause == null ? now : tx.completionStartNanos;
        c.events.publish(new TransactionCompleted(tx.sequence, outcome,
                tx.completionCause == null ? CompletionCause.ROLLBACK : tx.completionCause, tx.branches.size(),
                now - started, now - tx.beginNanos()));
    }
}
