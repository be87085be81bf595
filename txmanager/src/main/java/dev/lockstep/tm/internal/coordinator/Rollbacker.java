package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.events.TransactionEvent.BranchCall;
import dev.lockstep.tm.internal.xa.XaCalls;
import dev.lockstep.tm.internal.xa.XaCodes;
import dev.lockstep.tm.internal.xa.XaCodes.PrepareOutcome;
import dev.lockstep.tm.messages.TmMessage;
import jakarta.transaction.HeuristicMixedException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The rollback of a transaction's branches, and what the answers mean, once {@link Completion} has ended their
 * associations: it rolls back every branch that may hold work (in parallel through the {@link PhaseRunner}), reads
 * each answer through {@link XaCodes} (XAER_NOTA is done: presumed abort), leaves the unreachable branches to the
 * {@link BranchRetrier}, records and forgets the branches that committed on their own ({@link Heuristics}), moves the
 * transaction to its end state: HEURISTIC_COMMIT when some branch did not roll back, which the caller reports.
 */
final class Rollbacker {

    // The call captures nothing, so without a listener no lambda is allocated per transaction.
    private static final Consumer<Branch> ROLLBACK = b -> b.phaseTwo = XaCalls.phaseTwo(b.resource, b.xid, false, b);

    private final Coordinator c;

    Rollbacker(Coordinator c) {
        this.c = c;
    }

    /**
     * Rolls back every branch of {@code tx} (ROLLING_BACK, its associations ended) that may hold work, and moves it to
     * ROLLED_BACK, or to HEURISTIC_COMMIT if some branch committed on its own, or may have (XA_HEURCOM, XA_HEURMIX,
     * XA_HEURHAZ from rollback). Returns those branches, recorded and forgotten: empty if every branch rolled back.
     * What to tell the caller depends on who asked ({@link #partlyCommitted} for a commit that rolled back; JTA's
     * rollback() can only throw a SystemException).
     */
    List<Branch> rollback(LockstepTransaction tx) {
        List<Branch> branches = tx.branches;
        List<Branch> toRollBack = new ArrayList<>(branches.size());
        for (Branch b : branches) {
            // XA_RB* at end or prepare: the RM already rolled back; read-only: it has nothing left.
            if (b.vote != PrepareOutcome.READ_ONLY && b.vote != PrepareOutcome.ROLLED_BACK) {
                toRollBack.add(b);
            }
        }
        List<Branch> heuristics = new ArrayList<>(0);
        if (!toRollBack.isEmpty()) {
            if (c.events == null) {
                c.phases.forEach(toRollBack, ROLLBACK);
            } else {
                long[] nanos = new long[toRollBack.size()];
                c.phases.forEach(toRollBack,
                        b -> CoordinatorEvents.timed(c, tx, toRollBack, b, BranchCall.ROLLBACK, ROLLBACK, nanos));
                CoordinatorEvents.finished(c.events, tx, toRollBack, BranchCall.ROLLBACK, nanos);
            }
            List<Branch> retry = new ArrayList<>(0);
            for (Branch b : toRollBack) {
                switch (b.phaseTwo) {
                    case DONE -> { }
                    case RETRY -> retry.add(b);
                    default -> heuristics.add(b);
                }
            }
            for (Branch b : heuristics) {
                if (Heuristics.record(c, tx, b, XaCodes.heuristicOf(b.phaseTwo, false))) {
                    Heuristics.forget(tx, b);
                }
            }
            if (!retry.isEmpty()) {
                c.retrier.schedule(tx.toString(), tx.sequence, tx.gtrid, retry, false, !heuristics.isEmpty());
            }
        }
        tx.moveTo(heuristics.isEmpty() ? TxState.ROLLED_BACK : TxState.HEURISTIC_COMMIT);
        c.metrics.rolledBack.increment();
        if (!heuristics.isEmpty()) {
            c.metrics.heuristic.increment();
        }
        return heuristics;
    }

    /**
     * The exception of a commit that rolled back because {@code why} while {@code heuristics} (from
     * {@link #rollback}) committed on their own: JTA's heuristic mixed outcome.
     */
    static HeuristicMixedException partlyCommitted(LockstepTransaction tx, String why, Throwable cause,
            List<Branch> heuristics) {
        HeuristicMixedException e = new HeuristicMixedException(TmMessage.HEURISTIC_MIXED_ON_ROLLBACK + " transaction "
                + tx + " was rolled back because " + why + ", but " + Heuristics.describe(heuristics));
        e.initCause(cause);
        return e;
    }
}
