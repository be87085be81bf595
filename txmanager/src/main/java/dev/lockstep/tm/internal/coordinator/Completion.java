package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.internal.xa.XaCodes.OnePhaseOutcome;
import dev.lockstep.tm.internal.xa.XaCodes.PhaseTwoOutcome;
import dev.lockstep.tm.internal.xa.XaCodes.PrepareOutcome;
import dev.lockstep.tm.internal.xa.XaCodes;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.HeuristicOutcome;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.spi.CrashPoint;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;

/**
 * Completes one transaction: commit (one-phase, read-only or two-phase), rollback, or rollback after a timeout.
 *
 * <p>Two-phase commit, presumed abort (invariants 1, 5, 6, 7; docs/recovery.md and docs/failure-matrix.md):
 * <ol>
 *   <li>beforeCompletion callbacks (regular, then interposed); a failure rolls back;</li>
 *   <li>end every association ({@code TMSUCCESS});</li>
 *   <li>one branch: {@code commit(xid, true)} before the deadline, no log record;</li>
 *   <li>several: prepare all (in parallel); a failed vote rolls everything back; read-only votes drop out and
 *       all read-only writes nothing;</li>
 *   <li>before the deadline, force the COMMIT record listing every prepared branch by resource name;</li>
 *   <li>commit every prepared branch (in parallel); an unreachable one is retried in the background and
 *       {@code commit()} still returns normally; XAER_NOTA on this first attempt is a lost branch (heuristic);</li>
 *   <li>when every branch finished, the unforced END record; heuristics are recorded (forced) and reported;</li>
 *   <li>afterCompletion callbacks (interposed, then regular).</li>
 * </ol>
 */
final class Completion {

    private static final System.Logger LOG = System.getLogger("dev.lockstep.tm.Completion");

    private final LockstepTransaction tx;
    private final Coordinator c;

    Completion(LockstepTransaction tx) {
        this.tx = tx;
        this.c = tx.coordinator;
    }

    // ------------------------------------------------------------------ commit

    void commit() throws RollbackException, HeuristicMixedException, HeuristicRollbackException, SystemException {
        if (!tx.claimCompletion()) {
            if (tx.timedOut()) {
                throw rollbackException("it passed its timeout of " + tx.timeoutSeconds + " s and was rolled back",
                        null);
            }
            throw new IllegalStateException("LKS-121 transaction " + tx + " is already " + describeState()
                    + ": it can be completed only once");
        }
        try {
            commitClaimed();
        } finally {
            c.completed(tx);
        }
    }

    private void commitClaimed()
            throws RollbackException, HeuristicMixedException, HeuristicRollbackException, SystemException {
        if (tx.state() == TxState.MARKED_ROLLBACK) {
            tx.closeSynchronizations();
            rollbackAndThrow("it was marked rollback-only", tx.rollbackOnlyCause());
        }
        Throwable syncFailure = beforeCompletion();
        tx.closeSynchronizations();
        if (syncFailure != null) {
            tx.markRollbackOnly(syncFailure);
            rollbackAndThrow("a beforeCompletion callback failed: " + syncFailure, syncFailure);
        }
        if (tx.state() == TxState.MARKED_ROLLBACK) {
            rollbackAndThrow("it was marked rollback-only", tx.rollbackOnlyCause());
        }
        Branch endFailed = tx.enlister.endAll(XAResource.TMSUCCESS);
        if (endFailed != null) {
            rollbackAndThrow("end(TMSUCCESS) of " + endFailed + " failed: "
                    + LockstepTransaction.describe(endFailed.lastError), endFailed.lastError);
        }
        List<Branch> branches = tx.branches;
        switch (branches.size()) {
            case 0 -> {
                leaveActiveOrRollBack(TxState.COMMITTED);
                c.metrics.committed.increment();
                afterCompletion(Status.STATUS_COMMITTED);
            }
            case 1 -> commitOnePhase(branches.get(0));
            default -> commitTwoPhase(branches);
        }
    }

    private void commitOnePhase(Branch b)
            throws RollbackException, HeuristicMixedException, HeuristicRollbackException, SystemException {
        if (tx.pastTimeout()) {
            // A one-phase commit writes no decision that recovery could contradict, so only the elapsed time matters.
            rollbackAndThrow("it passed its deadline (timeout " + tx.timeoutSeconds + " s) before the commit", null);
        }
        leaveActiveOrRollBack(TxState.COMMITTING);
        int code = 0;
        try {
            b.resource.commit(b.xid, true);
        } catch (XAException e) {
            b.failed(e);
            code = e.errorCode;
        } catch (RuntimeException e) {
            b.failed(e);
            code = XAException.XAER_RMFAIL;
        }
        OnePhaseOutcome outcome = code == 0 ? OnePhaseOutcome.COMMITTED : XaCodes.ofOnePhaseCommitError(code);
        if (outcome == OnePhaseOutcome.COMMITTED) {
            if (code == XAException.XA_HEURCOM) {
                forgetQuietly(b); // committed on its own: the outcome asked for
            }
            tx.moveTo(TxState.COMMITTED);
            c.metrics.committed.increment();
            c.metrics.committedOnePhase.increment();
            afterCompletion(Status.STATUS_COMMITTED);
            return;
        }
        if (outcome == OnePhaseOutcome.ROLLED_BACK) {
            if (code == XAException.XA_HEURRB) {
                forgetQuietly(b); // rolled back on its own: nothing to record, the transaction did not happen
            }
            tx.moveTo(TxState.ROLLED_BACK);
            c.metrics.rolledBack.increment();
            afterCompletion(Status.STATUS_ROLLEDBACK);
            throw rollbackException("the one-phase commit of " + b + " answered "
                    + LockstepTransaction.describe(b.lastError), b.lastError);
        }
        // MIXED or UNKNOWN: say so, never guess. The resource forgets a heuristic only once it is recorded.
        HeuristicOutcome kind = outcome == OnePhaseOutcome.MIXED ? HeuristicOutcome.MIXED : HeuristicOutcome.HAZARD;
        if (recordHeuristic(b, kind) && (code == XAException.XA_HEURMIX || code == XAException.XA_HEURHAZ)) {
            forgetQuietly(b);
        }
        c.metrics.heuristic.increment();
        tx.moveTo(TxState.COMMITTED);
        afterCompletion(Status.STATUS_UNKNOWN);
        HeuristicMixedException e = new HeuristicMixedException("LKS-122 the outcome of the one-phase commit of "
                + b + " of transaction " + tx + " is unknown: " + LockstepTransaction.describe(b.lastError)
                + "; check the resource and resolve it there (recorded as a heuristic " + kind + ")");
        e.initCause(b.lastError);
        throw e;
    }

    private void commitTwoPhase(List<Branch> branches)
            throws RollbackException, HeuristicMixedException, HeuristicRollbackException, SystemException {
        leaveActiveOrRollBack(TxState.PREPARING);
        c.crash(CrashPoint.C1_BEFORE_PREPARE);
        Preparer.prepare(c, branches);

        List<Branch> prepared = new ArrayList<>(branches.size());
        Branch failed = null;
        for (Branch b : branches) {
            if (b.vote == PrepareOutcome.PREPARED) {
                prepared.add(b);
            } else if (b.vote != PrepareOutcome.READ_ONLY && failed == null) {
                failed = b;
            }
        }
        if (failed != null) {
            rollbackAndThrow("prepare of " + failed + " answered " + LockstepTransaction.describe(failed.lastError),
                    failed.lastError);
        }
        if (prepared.isEmpty()) {
            // Every branch voted read-only: nothing to decide, nothing to log (invariant 1).
            tx.moveTo(TxState.COMMITTED);
            c.metrics.committed.increment();
            c.metrics.committedReadOnly.increment();
            afterCompletion(Status.STATUS_COMMITTED);
            return;
        }
        tx.moveTo(TxState.PREPARED);
        c.crash(CrashPoint.C3_ALL_PREPARED);
        long decidedAt = c.clock.millis();
        if (tx.pastDeadline(decidedAt, c.nanoTime.getAsLong())) {
            // Invariant 5: no decision past the deadline; recovery may already presume abort after it.
            rollbackAndThrow("it passed its deadline (timeout " + tx.timeoutSeconds + " s) before the decision", null);
        }
        CommitRecord decision = commitRecord(prepared, decidedAt);
        try {
            c.store.recordCommit(decision);
        } catch (DecisionNotRecordedException e) {
            // No byte of the record reached storage: not decided, so presumed abort.
            rollbackAndThrow("the COMMIT record could not be written to the log: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            leaveToRecovery(prepared, e);
        }
        c.crash(CrashPoint.C4_DECISION_FORCED);
        tx.moveTo(TxState.COMMITTING);
        PhaseTwo.commit(c, prepared);
        long sinceDecision = c.clock.millis() - decision.decidedAtMillis();
        if (sinceDecision > c.settings.lostBranchWindow().toMillis()) {
            for (Branch b : prepared) {
                if (b.phaseTwo == PhaseTwoOutcome.NOT_FOUND) {
                    b.phaseTwo = lateNotFound(b, sinceDecision);
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
        tx.moveTo(TxState.COMMITTED);
        for (Branch b : heuristics) {
            if (recordHeuristic(b, heuristicKind(b.phaseTwo, true)) && b.phaseTwo != PhaseTwoOutcome.NOT_FOUND) {
                forgetQuietly(b);
            }
        }
        if (!retry.isEmpty()) {
            c.retrier.schedule(tx.toString(), tx.gtrid, retry, true, !heuristics.isEmpty());
        } else if (heuristics.isEmpty()) {
            c.crash(CrashPoint.C6_ALL_COMMITTED);
            c.store.recordEnd(tx.gtrid);
        }
        if (heuristics.isEmpty()) {
            c.metrics.committed.increment();
            afterCompletion(Status.STATUS_COMMITTED);
            return;
        }
        c.metrics.heuristic.increment();
        afterCompletion(Status.STATUS_UNKNOWN);
        String detail = describeHeuristics(heuristics);
        if (committedBranches == 0) {
            HeuristicRollbackException e = new HeuristicRollbackException("LKS-123 transaction " + tx
                    + " was decided to commit but every branch rolled back: " + detail);
            e.initCause(heuristics.get(0).lastError);
            throw e;
        }
        HeuristicMixedException e = new HeuristicMixedException("LKS-124 transaction " + tx
                + " was decided to commit; " + committedBranches + " branch(es) committed but " + detail);
        e.initCause(heuristics.get(0).lastError);
        throw e;
    }

    private CommitRecord commitRecord(List<Branch> prepared, long decidedAt) {
        List<CommitRecord.Branch> entries = new ArrayList<>(prepared.size());
        for (Branch b : prepared) {
            entries.add(new CommitRecord.Branch(b.xid.getBranchQualifier(), b.resourceName));
        }
        return new CommitRecord(tx.gtrid, decidedAt, entries);
    }

    /**
     * The COMMIT record may or may not be durable: a write or force failed after bytes may have reached the disk (or a
     * later step of the same batch failed after the force). Rolling back now could undo branches that recovery then
     * commits from the record (a mixed outcome), and committing could leave some committed if the record is not there
     * after all. So neither: the prepared branches stay for recovery, which reads what the log really holds (commit
     * if the COMMIT is there, presumed abort otherwise), and the caller learns that the outcome is unknown (invariant
     * 6). A {@link SystemException}, because JTA's heuristic exceptions say that a resource decided on its own, which
     * none did.
     */
    private void leaveToRecovery(List<Branch> prepared, Throwable cause) throws SystemException {
        tx.moveTo(TxState.UNKNOWN);
        c.metrics.unknownOutcome.increment();
        String gtridHex = java.util.HexFormat.of().formatHex(tx.gtrid);
        LOG.log(Level.ERROR, "LKS-133 transaction {0} (gtrid {1}): the COMMIT record may or may not have reached the "
                + "log ({2}); its {3} prepared branch(es) are left to recovery", tx, gtridHex, cause.getMessage());
        afterCompletion(Status.STATUS_UNKNOWN);
        StringBuilder names = new StringBuilder();
        for (Branch b : prepared) {
            names.append(names.length() == 0 ? "" : ", ").append(b);
        }
        SystemException e = new SystemException("LKS-133 the outcome of transaction " + tx + " (gtrid " + gtridHex
                + ") is unknown: writing its COMMIT record failed after it may have reached the disk (" + cause
                + "). Its prepared branches (" + names + ") are left as they are: the recovery service commits them if "
                + "the log holds the COMMIT and rolls them back otherwise, the same way on every branch. The log "
                + "accepts no more decisions: restart the process");
        e.initCause(cause);
        throw e;
    }

    /** Moves out of ACTIVE to {@code target}, or rolls back if the transaction was marked rollback-only meanwhile. */
    private void leaveActiveOrRollBack(TxState target) throws RollbackException, HeuristicMixedException {
        if (!tx.leaveActive(target)) {
            rollbackAndThrow("it was marked rollback-only", tx.rollbackOnlyCause());
        }
    }

    // ------------------------------------------------------------------ rollback

    void rollback() throws SystemException {
        if (!tx.claimCompletion()) {
            if (tx.timedOut()) {
                return; // the reaper rolled it back already; rollback() just clears the thread's association
            }
            throw new IllegalStateException("LKS-125 transaction " + tx + " is already " + describeState()
                    + ": it can be completed only once");
        }
        try {
            tx.closeSynchronizations();
            List<Branch> heuristics = rollbackAll(true);
            if (!heuristics.isEmpty()) {
                throw new SystemException("LKS-126 transaction " + tx + " was rolled back, but "
                        + describeHeuristics(heuristics));
            }
        } finally {
            c.completed(tx);
        }
    }

    /** The reaper's rollback: the owning thread may still be using the resources, so end them with TMFAIL. */
    void rollbackAfterTimeout() {
        try {
            LOG.log(Level.WARNING, "LKS-127 transaction {0} passed its timeout of {1} s; rolling it back", tx,
                    tx.timeoutSeconds);
            rollbackAll(false);
        } finally {
            c.completed(tx);
        }
    }

    /**
     * Rolls back and throws: RollbackException, or HeuristicMixedException if a branch had committed on its own.
     */
    private void rollbackAndThrow(String why, Throwable cause) throws RollbackException, HeuristicMixedException {
        List<Branch> heuristics = rollbackAll(true);
        if (!heuristics.isEmpty()) {
            HeuristicMixedException e = new HeuristicMixedException("LKS-128 transaction " + tx
                    + " was rolled back because " + why + ", but " + describeHeuristics(heuristics));
            e.initCause(cause);
            throw e;
        }
        throw rollbackException(why, cause);
    }

    private RollbackException rollbackException(String why, Throwable cause) {
        RollbackException e = new RollbackException("LKS-120 transaction " + tx + " rolled back: " + why);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /** Rolls back every branch that may hold work; returns the branches that answered with a heuristic. */
    private List<Branch> rollbackAll(boolean ownerThread) {
        tx.moveTo(TxState.ROLLING_BACK);
        tx.enlister.endAll(ownerThread ? XAResource.TMSUCCESS : XAResource.TMFAIL);
        List<Branch> toRollBack = new ArrayList<>(tx.branches.size());
        for (Branch b : tx.branches) {
            // XA_RB* at end or prepare: the RM already rolled back; read-only: it has nothing left.
            if (b.vote != PrepareOutcome.READ_ONLY && b.vote != PrepareOutcome.ROLLED_BACK) {
                toRollBack.add(b);
            }
        }
        List<Branch> heuristics = new ArrayList<>(0);
        if (!toRollBack.isEmpty()) {
            PhaseTwo.rollback(c, toRollBack);
            List<Branch> retry = new ArrayList<>(0);
            for (Branch b : toRollBack) {
                switch (b.phaseTwo) {
                    case DONE -> { }
                    case RETRY -> retry.add(b);
                    default -> heuristics.add(b);
                }
            }
            for (Branch b : heuristics) {
                if (recordHeuristic(b, heuristicKind(b.phaseTwo, false))) {
                    forgetQuietly(b);
                }
            }
            if (!retry.isEmpty()) {
                c.retrier.schedule(tx.toString(), tx.gtrid, retry, false, !heuristics.isEmpty());
            }
        }
        tx.moveTo(TxState.ROLLED_BACK);
        c.metrics.rolledBack.increment();
        if (!heuristics.isEmpty()) {
            c.metrics.heuristic.increment();
        }
        afterCompletion(heuristics.isEmpty() ? Status.STATUS_ROLLEDBACK : Status.STATUS_UNKNOWN);
        return heuristics;
    }

    // ------------------------------------------------------------------ synchronizations

    /** Runs beforeCompletion: regular ones first, then interposed; ones registered meanwhile run too. */
    private Throwable beforeCompletion() {
        int regular = 0;
        int interposed = 0;
        boolean progress = true;
        while (progress) {
            progress = false;
            Synchronization s;
            while ((s = tx.synchronizationAt(tx.synchronizations, regular)) != null) {
                regular++;
                progress = true;
                Throwable t = callBefore(s);
                if (t != null) {
                    return t;
                }
            }
            while ((s = tx.synchronizationAt(tx.interposed, interposed)) != null) {
                interposed++;
                progress = true;
                Throwable t = callBefore(s);
                if (t != null) {
                    return t;
                }
            }
        }
        return null;
    }

    private Throwable callBefore(Synchronization s) {
        try {
            s.beforeCompletion();
            return null;
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "LKS-129 beforeCompletion of " + s + " in transaction " + tx
                    + " failed; the transaction rolls back", t);
            return t;
        }
    }

    /** Calls afterCompletion: interposed ones first, then regular; failures are logged and do not propagate. */
    private void afterCompletion(int status) {
        afterCompletion(tx.interposed, status);
        afterCompletion(tx.synchronizations, status);
    }

    private void afterCompletion(List<Synchronization> list, int status) {
        for (int i = 0; ; i++) {
            Synchronization s = tx.synchronizationAt(list, i);
            if (s == null) {
                return;
            }
            try {
                s.afterCompletion(status);
            } catch (Throwable t) {
                LOG.log(Level.WARNING, "LKS-130 afterCompletion(" + TxState.statusName(status) + ") of " + s
                        + " in transaction " + tx + " failed; ignored, the outcome stands", t);
            }
        }
    }

    // ------------------------------------------------------------------ heuristics

    /**
     * XAER_NOTA on a first commit that came late, after the lost-branch window: a recovery working beside this process
     * commits a live decision once its safety interval passed, so the branch may be committed rather than lost. As on
     * a retry (invariant 6), it counts as finished only if {@code recover()} no longer lists it.
     */
    private PhaseTwoOutcome lateNotFound(Branch b, long sinceDecision) {
        try {
            if (BranchRetrier.listedInRecover(b.resource, b.xid)) {
                return PhaseTwoOutcome.RETRY;
            }
            LOG.log(Level.INFO, "LKS-125 {0} of transaction {1} answered XAER_NOTA {2} ms after the COMMIT decision, "
                    + "and recover() no longer lists it: a recovery finished it", b, tx, sinceDecision);
            return PhaseTwoOutcome.DONE;
        } catch (XAException | RuntimeException e) {
            b.failed(e);
            return PhaseTwoOutcome.RETRY;
        }
    }

    static HeuristicOutcome heuristicKind(PhaseTwoOutcome outcome, boolean committing) {
        return XaCodes.heuristicOf(outcome, committing);
    }

    /**
     * Records a heuristic outcome in the log; true once it is durable. Only then may the resource be told to forget
     * it (invariant 7): a heuristic that is in neither place is lost. Not forgotten, the resource keeps listing the
     * branch in {@code recover()}, where recovery finds and records it.
     */
    private boolean recordHeuristic(Branch b, HeuristicOutcome kind) {
        LOG.log(Level.ERROR, "LKS-131 heuristic {0} on {1} of transaction {2}: {3}", kind, b, tx,
                LockstepTransaction.describe(b.lastError));
        try {
            c.store.recordHeuristic(new HeuristicRecord(tx.gtrid, b.xid.getBranchQualifier(), b.resourceName, kind,
                    c.clock.millis()));
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "LKS-132 could not record heuristic " + kind + " of " + b + " of transaction " + tx
                    + " in the log; the resource is not told to forget it, so recovery finds it there: " + e);
            return false;
        }
    }

    private void forgetQuietly(Branch b) {
        try {
            b.resource.forget(b.xid);
        } catch (XAException | RuntimeException e) {
            LOG.log(Level.DEBUG, "forget of {0} of {1} failed: {2}", b, tx, LockstepTransaction.describe(e));
        }
    }

    private static String describeHeuristics(List<Branch> heuristics) {
        StringBuilder sb = new StringBuilder();
        for (Branch b : heuristics) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(b).append(b.phaseTwo == PhaseTwoOutcome.NOT_FOUND
                    ? " lost its prepared work (XAER_NOTA at commit: the resource no longer knew the branch)"
                    : " decided on its own: " + LockstepTransaction.describe(b.lastError));
        }
        return sb.append(" (recorded in the decision log until an operator resolves it)").toString();
    }

    private String describeState() {
        return tx.state() + (tx.timedOut() ? " (timed out)" : "");
    }
}
