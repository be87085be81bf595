package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.events.TransactionEvent.BranchCall;
import dev.lockstep.tm.internal.xa.XaCodes;
import dev.lockstep.tm.internal.xa.XaCodes.PrepareOutcome;
import dev.lockstep.tm.spi.CrashPoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.transaction.xa.XAException;

/**
 * Phase one: asks every branch to prepare (in parallel through the {@link PhaseRunner}), records each vote on its
 * branch as {@link XaCodes} reads it, and sorts the votes: the prepared branches go on to the decision, read-only ones
 * drop out, and any other vote means the transaction rolls back.
 */
final class Preparer {

    private Preparer() {
    }

    // Without a crash hook or a listener the call captures nothing, so no lambda is allocated per transaction.
    private static final Consumer<Branch> PREPARE = Preparer::prepareOne;

    /**
     * Prepares {@code branches} and adds the ones that voted PREPARED to {@code prepared}, in order; returns the first
     * branch whose vote means roll back (failed, or rolled back by the RM), or null if every vote was yes or read-only.
     */
    static Branch prepare(Coordinator c, LockstepTransaction tx, List<Branch> branches, List<Branch> prepared) {
        long[] callNanos = callPrepare(c, tx, branches);
        if (c.events != null) {
            CoordinatorEvents.voted(c.events, tx, branches, callNanos);
        }
        Branch failed = null;
        for (Branch b : branches) {
            if (b.vote == PrepareOutcome.PREPARED) {
                prepared.add(b);
            } else if (b.vote != PrepareOutcome.READ_ONLY && failed == null) {
                failed = b;
            }
        }
        return failed;
    }

    /** Returns each call's duration, in the order of {@code branches}, when a listener is registered; else null. */
    private static long[] callPrepare(Coordinator c, LockstepTransaction tx, List<Branch> branches) {
        if (!c.crashHookSet() && c.events == null) {
            c.phases.forEach(branches, PREPARE);
            return null;
        }
        long[] nanos = c.events == null ? null : new long[branches.size()];
        AtomicBoolean first = new AtomicBoolean();
        c.phases.forEach(branches, b -> {
            CoordinatorEvents.timed(c, tx, branches, b, BranchCall.PREPARE, PREPARE, nanos);
            if (b.vote == PrepareOutcome.PREPARED && first.compareAndSet(false, true)) {
                c.crash(CrashPoint.C2_SOME_PREPARED);
            }
        });
        return nanos;
    }

    private static void prepareOne(Branch b) {
        try {
            b.vote = XaCodes.ofVote(b.resource.prepare(b.xid));
        } catch (XAException | RuntimeException e) {
            b.failed(e);
            b.vote = XaCodes.ofPrepareError(e);
        }
    }
}
