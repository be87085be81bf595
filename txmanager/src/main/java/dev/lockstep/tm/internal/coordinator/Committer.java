package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.events.TransactionEvent.BranchCall;
import dev.lockstep.tm.events.TransactionEvent.BranchCallStarted;
import dev.lockstep.tm.events.TransactionEvent.BranchResult;
import dev.lockstep.tm.internal.xa.XaCalls;
import dev.lockstep.tm.internal.xa.XaCodes;
import dev.lockstep.tm.internal.xa.XaCodes.OnePhaseOutcome;
import dev.lockstep.tm.internal.xa.XaCodes.PhaseTwoOutcome;
import dev.lockstep.tm.log.HeuristicOutcome;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.spi.CrashPoint;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.transaction.xa.XAException;

/**
 * Phase two of a commit, and what its answers mean: the one-phase commit of a single branch, or the commit of every
 * prepared branch once the COMMIT record is durable. It makes the calls (in parallel through the {@link PhaseRunner}),
 * reads each answer through {@link XaCodes}, leaves the unreachable branches to the {@link BranchRetrier}, records and
 * forgets heuristics ({@link Heuristics}), writes the END record, moves the transaction to its end state and raises
 * the exception the caller is owed. {@link Completion} runs it and then the afterCompletion callbacks.
 *
 * <p>Invariant 6 (docs/design.md, docs/failure-matrix.md): after the decision the outcome is commit. An unreachable
 * branch does not change that ({@code commit()} returns normally, the retrier finishes it); {@code XAER_NOTA} on this
 * first attempt is a lost branch, a heuristic, unless it came after the lost-branch window, when a recovery beside
 * this process may have committed it.
 */
final class Committer {

    private static final System.Logger LOG = System.getLogger("dev.lockstep.tm.Completion");

    // Without a crash hook the call captures nothing, so no lambda is allocated per transaction.
    private static final Consumer<Branch> COMMIT = b -> b.phaseTwo = XaCalls.phaseTwo(b.resource, b.xid, true, b);

    private final Coordinator c;

    Committer(Coordinator c) {
        this.c = c;
    }

    /**
     * {@code commit(xid, true)} on the only branch, the transaction already COMMITTING. The resource alone decides, and
     * its answer is all the TM learns: committed returns, rolled back throws RollbackException, and anything else is a
     * heuristic (recorded, never guessed) thrown as HeuristicMixedException.
     */
    void commitOnePhase(LockstepTransaction tx, Branch b) throws RollbackException, HeuristicMixedException {
        long t0 = 0;
        if (c.events != null) {
            c.events.publish(new BranchCallStarted(tx.sequence, b.resourceName, b.xid.branchNumber(),
                    BranchCall.ONE_PHASE_COMMIT));
            t0 = c.nanoTime.getAsLong();
        }
        Throwable failure = null;
        try {
            b.resource.commit(b.xid, true);
        } catch (XAException | RuntimeException e) {
            b.failed(e);
            failure = e;
        }
        OnePhaseOutcome outcome = failure == null ? OnePhaseOutcome.COMMITTED : XaCodes.ofOnePhaseCommitError(failure);
        if (c.events != null) {
            CoordinatorEvents.finished(c.events, tx, b, BranchCall.ONE_PHASE_COMMIT, switch (outcome) {
                case COMMITTED -> BranchResult.DONE;
                case ROLLED_BACK -> BranchResult.ROLLED_BACK;
                case MIXED, UNKNOWN -> BranchResult.HEURISTIC;
            }, c.nanoTime.getAsLong() - t0);
        }
        TxState end = switch (outcome) {
            case COMMITTED -> TxState.COMMITTED;
            case ROLLED_BACK -> TxState.ROLLED_BACK;
            case MIXED -> TxState.HEURISTIC_MIXED;
            case UNKNOWN -> TxState.HEURISTIC_HAZARD;
        };
        // A heuristic the resource remembers (XA_HEUR*) is forgotten at once when it is the outcome asked for
        // (XA_HEURCOM) or means nothing happened (XA_HEURRB); otherwise only once it is recorded.
        boolean remembered = failure != null && XaCodes.remembersHeuristic(b.lastErrorCode);
        if (end.mustBeLogged()) {
            HeuristicOutcome kind = end == TxState.HEURISTIC_MIXED ? HeuristicOutcome.MIXED : HeuristicOutcome.HAZARD;
            if (Heuristics.record(c, tx, b, kind) && remembered) {
                Heuristics.forget(tx, b);
            }
            c.metrics.heuristic.increment();
            tx.moveTo(end);
            HeuristicMixedException e = new HeuristicMixedException(TmMessage.ONE_PHASE_OUTCOME_UNKNOWN
                    + " the outcome of the one-phase commit of "
                    + b + " of transaction " + tx + " is unknown: " + LockstepTransaction.describe(b.lastError)
                    + "; check the resource and resolve it there (recorded as a heuristic " + kind + ")");
            e.initCause(b.lastError);
            throw e;
        }
        if (remembered) {
            Heuristics.forget(tx, b);
        }
        tx.moveTo(end);
        if (end == TxState.COMMITTED) {
            c.metrics.committed.increment();
            c.metrics.committedOnePhase.increment();
            return;
        }
        c.metrics.rolledBack.increment();
        throw Completion.rolledBack(tx, "the one-phase commit of " + b + " answered "
                + LockstepTransaction.describe(b.lastError), b.lastError);
    }

    /**
     * Commits every {@code prepared} branch after the COMMIT record decided at {@code decidedAtMillis} became durable,
     * the transaction already COMMITTING. Returns once the transaction is COMMITTED (unreachable branches left to the
     * retrier); throws when a branch decided otherwise on its own: HeuristicRollbackException if none committed,
     * HeuristicMixedException if some did.
     */
    void commit(LockstepTransaction tx, List<Branch> prepared, long decidedAtMillis)
            throws HeuristicMixedException, HeuristicRollbackException {
        long[] callNanos = callCommit(tx, prepared);
        long sinceDecision = c.clock.millis() - decidedAtMillis;
        if (sinceDecision > c.settings.lostBranchWindow().toMillis()) {
            for (Branch b : prepared) {
                if (b.phaseTwo == PhaseTwoOutcome.NOT_FOUND) {
                    b.phaseTwo = lateNotFound(tx, b, sinceDecision);
                }
            }
        }

        List<Branch> retry = new ArrayList<>(0);
        List<Branch> heuristics = new ArrayList<>(0);
        int committedBranches = 0;
        for (Branch b : prepared) {
            switch (b.phaseTwo) {
                case DONE -> committedBranches++;
                case RETRY -> {
                    retry.add(b);
                    committedBranches++; // the decision stands: it will commit when the resource is back
                }
                default -> heuristics.add(b);
            }
        }
        if (c.events != null) {
            CoordinatorEvents.finished(c.events, tx, prepared, BranchCall.COMMIT, callNanos);
        }
        TxState end = heuristics.isEmpty() ? TxState.COMMITTED
                : committedBranches == 0 ? TxState.HEURISTIC_ROLLBACK : TxState.HEURISTIC_MIXED;
        tx.moveTo(end);
        for (Branch b : heuristics) {
            // NOT_FOUND: the resource does not know the branch, so there is nothing for it to forget.
            if (Heuristics.record(c, tx, b, XaCodes.heuristicOf(b.phaseTwo, true))
                    && b.phaseTwo != PhaseTwoOutcome.NOT_FOUND) {
                Heuristics.forget(tx, b);
            }
        }
        if (!retry.isEmpty()) {
            c.retrier.schedule(tx.toString(), tx.sequence, tx.gtrid, retry, true, !heuristics.isEmpty());
        } else if (heuristics.isEmpty()) {
            c.crash(CrashPoint.C6_ALL_COMMITTED);
            c.store.recordEnd(tx.gtrid);
        }
        if (heuristics.isEmpty()) {
            c.metrics.committed.increment();
            return;
        }
        c.metrics.heuristic.increment();
        String detail = Heuristics.describe(heuristics);
        if (end == TxState.HEURISTIC_ROLLBACK) {
            HeuristicRollbackException e = new HeuristicRollbackException(TmMessage.HEURISTIC_ROLLBACK_ON_COMMIT
                    + " transaction " + tx + " was decided to commit but every branch rolled back: " + detail);
            e.initCause(heuristics.get(0).lastError);
            throw e;
        }
        HeuristicMixedException e = new HeuristicMixedException(TmMessage.HEURISTIC_MIXED_ON_COMMIT + " transaction "
                + tx + " was decided to commit; " + committedBranches + " branch(es) committed but " + detail);
        e.initCause(heuristics.get(0).lastError);
        throw e;
    }

    /**
     * The first commit call on every branch; C5 is reached once the first branch committed. Returns each call's
     * duration, in the order of {@code prepared}, when a listener is registered; null otherwise.
     */
    private long[] callCommit(LockstepTransaction tx, List<Branch> prepared) {
        boolean c5 = c.crashHookSet() && prepared.size() > 1;
        if (c.events == null && !c5) {
            c.phases.forEach(prepared, COMMIT);
            return null;
        }
        long[] nanos = c.events == null ? null : new long[prepared.size()];
        AtomicBoolean first = new AtomicBoolean();
        c.phases.forEach(prepared, b -> {
            CoordinatorEvents.timed(c, tx, prepared, b, BranchCall.COMMIT, COMMIT, nanos);
            if (c5 && b.phaseTwo == PhaseTwoOutcome.DONE && first.compareAndSet(false, true)) {
                c.crash(CrashPoint.C5_SOME_COMMITTED);
            }
        });
        return nanos;
    }

    /**
     * XAER_NOTA on a first commit that came late, after the lost-branch window: a recovery working beside this process
     * commits a live decision once its safety interval passed, so the branch may be committed rather than lost. As on
     * a retry (invariant 6), it counts as finished only if {@code recover()} no longer lists it.
     */
    private PhaseTwoOutcome lateNotFound(LockstepTransaction tx, Branch b, long sinceDecision) {
        try {
            if (BranchRetrier.listedInRecover(b.resource, b.xid)) {
                return PhaseTwoOutcome.RETRY;
            }
            LOG.log(Level.INFO, TmMessage.FINISHED_BY_RECOVERY
                    + " {0} of transaction {1} answered XAER_NOTA {2} ms after the COMMIT decision, "
                    + "and recover() no longer lists it: a recovery finished it", b, tx, sinceDecision);
            return PhaseTwoOutcome.DONE;
        } catch (XAException | RuntimeException e) {
            b.failed(e);
            return PhaseTwoOutcome.RETRY;
        }
    }
}
