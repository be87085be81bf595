package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.events.TransactionEvent.CompletionCause;
import dev.lockstep.tm.events.TransactionEvent.DecisionLogged;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.spi.CrashPoint;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAResource;

/**
 * Completes a transaction: commit (one-phase, read-only or two-phase), rollback, or rollback after a timeout. This is
 * the sequence of the protocol; what each XA answer means is read by the phases ({@link Preparer}, {@link Committer},
 * {@link Rollbacker}) through {@code XaCodes}. One per coordinator: it keeps nothing of a transaction.
 *
 * <p>Two-phase commit, presumed abort (invariants 1, 5, 6, 7; docs/design.md, docs/recovery.md and
 * docs/failure-matrix.md):
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
 *   <li>afterCompletion callbacks (interposed, then regular), told the status of the state the transaction ended in.
 *   </li>
 * </ol>
 */
final class Completion {

    private static final System.Logger LOG = System.getLogger("dev.lockstep.tm.Completion");

    private final Coordinator c;

    Completion(Coordinator c) {
        this.c = c;
    }

    // ------------------------------------------------------------------ commit

    void commit(LockstepTransaction tx)
            throws RollbackException, HeuristicMixedException, HeuristicRollbackException, SystemException {
        if (!tx.claimCompletion()) {
            if (tx.timedOut()) {
                throw rolledBack(tx, "it passed its timeout of " + tx.timeoutSeconds + " s and was rolled back", null);
            }
            throw new IllegalStateException(TmMessage.COMMIT_AFTER_COMPLETION + " transaction " + tx + " is already "
                    + describeState(tx) + ": it can be completed only once");
        }
        long started = c.events == null ? 0 : CoordinatorEvents.completionStarted(c, tx, CompletionCause.COMMIT);
        try {
            commitClaimed(tx);
        } finally {
            c.completed(tx, CompletionCause.COMMIT, started);
        }
    }

    private void commitClaimed(LockstepTransaction tx)
            throws RollbackException, HeuristicMixedException, HeuristicRollbackException, SystemException {
        if (tx.state() == TxState.MARKED_ROLLBACK) {
            tx.closeSynchronizations();
            rollbackAndThrow(tx, "it was marked rollback-only", tx.rollbackOnlyCause());
        }
        Throwable syncFailure = beforeCompletion(tx);
        tx.closeSynchronizations();
        if (syncFailure != null) {
            tx.markRollbackOnly(syncFailure);
            rollbackAndThrow(tx, "a beforeCompletion callback failed: " + syncFailure, syncFailure);
        }
        if (tx.state() == TxState.MARKED_ROLLBACK) {
            rollbackAndThrow(tx, "it was marked rollback-only", tx.rollbackOnlyCause());
        }
        Branch endFailed = tx.enlister.endAll(XAResource.TMSUCCESS);
        if (endFailed != null) {
            rollbackAndThrow(tx, "end(TMSUCCESS) of " + endFailed + " failed: "
                    + LockstepTransaction.describe(endFailed.lastError), endFailed.lastError);
        }
        List<Branch> branches = tx.branches;
        switch (branches.size()) {
            case 0 -> {
                leaveActiveOrRollBack(tx, TxState.COMMITTED);
                c.metrics.committed.increment();
                afterCompletion(tx, TxState.COMMITTED);
            }
            case 1 -> commitOnePhase(tx, branches.get(0));
            default -> commitTwoPhase(tx, branches);
        }
    }

    private void commitOnePhase(LockstepTransaction tx, Branch b)
            throws RollbackException, HeuristicMixedException {
        if (tx.pastTimeout()) {
            // A one-phase commit writes no decision that recovery could contradict, so only the elapsed time matters.
            rollbackAndThrow(tx, "it passed its deadline (timeout " + tx.timeoutSeconds + " s) before the commit",
                    null);
        }
        leaveActiveOrRollBack(tx, TxState.COMMITTING);
        try {
            c.committer.commitOnePhase(tx, b);
        } catch (RollbackException | HeuristicMixedException e) {
            afterCompletion(tx, tx.state());
            throw e;
        }
        afterCompletion(tx, TxState.COMMITTED);
    }

    private void commitTwoPhase(LockstepTransaction tx, List<Branch> branches)
            throws RollbackException, HeuristicMixedException, HeuristicRollbackException, SystemException {
        leaveActiveOrRollBack(tx, TxState.PREPARING);
        c.crash(CrashPoint.C1_BEFORE_PREPARE);
        List<Branch> prepared = new ArrayList<>(branches.size());
        Branch failed = Preparer.prepare(c, tx, branches, prepared);
        if (failed != null) {
            rollbackAndThrow(tx, "prepare of " + failed + " answered "
                    + LockstepTransaction.describe(failed.lastError), failed.lastError);
        }
        if (prepared.isEmpty()) {
            // Every branch voted read-only: nothing to decide, nothing to log (invariant 1).
            tx.moveTo(TxState.COMMITTED);
            c.metrics.committed.increment();
            c.metrics.committedReadOnly.increment();
            afterCompletion(tx, TxState.COMMITTED);
            return;
        }
        tx.moveTo(TxState.PREPARED);
        c.crash(CrashPoint.C3_ALL_PREPARED);
        long decidedAt = c.clock.millis();
        if (tx.pastDeadline(decidedAt, c.nanoTime.getAsLong())) {
            // Invariant 5: no decision past the deadline; recovery may already presume abort after it.
            rollbackAndThrow(tx, "it passed its deadline (timeout " + tx.timeoutSeconds + " s) before the decision",
                    null);
        }
        long logStart = c.events == null ? 0 : c.nanoTime.getAsLong();
        try {
            c.store.recordCommit(commitRecord(tx, prepared, decidedAt));
        } catch (DecisionNotRecordedException e) {
            // No byte of the record reached storage: not decided, so presumed abort.
            rollbackAndThrow(tx, "the COMMIT record could not be written to the log: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            leaveToRecovery(tx, prepared, e);
        }
        if (c.events != null) {
            c.events.publish(new DecisionLogged(tx.sequence, prepared.size(), c.nanoTime.getAsLong() - logStart));
        }
        c.crash(CrashPoint.C4_DECISION_FORCED);
        tx.moveTo(TxState.COMMITTING);
        try {
            c.committer.commit(tx, prepared, decidedAt);
        } catch (HeuristicMixedException | HeuristicRollbackException e) {
            afterCompletion(tx, tx.state());
            throw e;
        }
        afterCompletion(tx, TxState.COMMITTED);
    }

    private static CommitRecord commitRecord(LockstepTransaction tx, List<Branch> prepared, long decidedAt) {
        List<CommitRecord.RecordedBranch> entries = new ArrayList<>(prepared.size());
        for (Branch b : prepared) {
            entries.add(new CommitRecord.RecordedBranch(b.xid.getBranchQualifier(), b.resourceName));
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
    private void leaveToRecovery(LockstepTransaction tx, List<Branch> prepared, Throwable cause)
            throws SystemException {
        tx.moveTo(TxState.UNKNOWN);
        c.metrics.unknownOutcome.increment();
        String gtridHex = java.util.HexFormat.of().formatHex(tx.gtrid);
        LOG.log(Level.ERROR, TmMessage.OUTCOME_UNKNOWN
                + " transaction {0} (gtrid {1}): the COMMIT record may or may not have been recorded "
                + "({2}); its {3} prepared branch(es) are left to recovery", tx, gtridHex, cause.getMessage());
        afterCompletion(tx, TxState.UNKNOWN);
        StringBuilder names = new StringBuilder();
        for (Branch b : prepared) {
            names.append(names.length() == 0 ? "" : ", ").append(b);
        }
        SystemException e = new SystemException(TmMessage.OUTCOME_UNKNOWN + " the outcome of transaction " + tx
                + " (gtrid " + gtridHex
                + ") is unknown: writing its COMMIT record failed after it may have been recorded (" + cause
                + "). Its prepared branches (" + names + ") are left as they are: recovery commits them if the "
                + "decision store holds the COMMIT and rolls them back otherwise, the same way on every branch. "
                + c.store.afterUnknownCommit());
        e.initCause(cause);
        throw e;
    }

    /** Moves out of ACTIVE to {@code target}, or rolls back if the transaction was marked rollback-only meanwhile. */
    private void leaveActiveOrRollBack(LockstepTransaction tx, TxState target)
            throws RollbackException, HeuristicMixedException {
        if (!tx.leaveActive(target)) {
            rollbackAndThrow(tx, "it was marked rollback-only", tx.rollbackOnlyCause());
        }
    }

    // ------------------------------------------------------------------ rollback

    void rollback(LockstepTransaction tx) throws SystemException {
        if (!tx.claimCompletion()) {
            if (tx.timedOut()) {
                return; // the reaper rolled it back already; rollback() just clears the thread's association
            }
            throw new IllegalStateException(TmMessage.ROLLBACK_AFTER_COMPLETION + " transaction " + tx + " is already "
                    + describeState(tx) + ": it can be completed only once");
        }
        long started = c.events == null ? 0 : CoordinatorEvents.completionStarted(c, tx, CompletionCause.ROLLBACK);
        try {
            tx.closeSynchronizations();
            List<Branch> heuristics = rollbackAll(tx, XAResource.TMSUCCESS);
            if (!heuristics.isEmpty()) {
                // JTA's rollback() has no heuristic exception to throw.
                throw new SystemException(TmMessage.HEURISTIC_ON_ROLLBACK + " transaction " + tx
                        + " was rolled back, but " + Heuristics.describe(heuristics));
            }
        } finally {
            c.completed(tx, CompletionCause.ROLLBACK, started);
        }
    }

    /** The reaper's rollback: the owning thread may still be using the resources, so end them with TMFAIL. */
    void rollbackAfterTimeout(LockstepTransaction tx) {
        long started = c.events == null ? 0 : CoordinatorEvents.completionStarted(c, tx, CompletionCause.TIMEOUT);
        try {
            LOG.log(Level.WARNING, TmMessage.TIMED_OUT
                    + " transaction {0} passed its timeout of {1} s; rolling it back", tx,
                    tx.timeoutSeconds);
            // Heuristics are recorded and logged (TmMessage.HEURISTIC): nobody waits here.
            rollbackAll(tx, XAResource.TMFAIL);
        } finally {
            c.completed(tx, CompletionCause.TIMEOUT, started);
        }
    }

    /**
     * Rolls back and throws: RollbackException, or HeuristicMixedException if a branch had committed on its own.
     */
    private void rollbackAndThrow(LockstepTransaction tx, String why, Throwable cause)
            throws RollbackException, HeuristicMixedException {
        List<Branch> heuristics = rollbackAll(tx, XAResource.TMSUCCESS);
        if (!heuristics.isEmpty()) {
            throw Rollbacker.partlyCommitted(tx, why, cause, heuristics);
        }
        throw rolledBack(tx, why, cause);
    }

    static RollbackException rolledBack(LockstepTransaction tx, String why, Throwable cause) {
        RollbackException e = new RollbackException(TmMessage.ROLLED_BACK + " transaction " + tx + " rolled back: "
                + why);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /**
     * Ends every open association with {@code endFlag} ({@code TMFAIL} when the owning thread may still use them),
     * rolls back every branch that may hold work, and runs afterCompletion; returns the branches that committed on
     * their own (recorded by the {@link Rollbacker}), empty if none did.
     */
    private List<Branch> rollbackAll(LockstepTransaction tx, int endFlag) {
        tx.moveTo(TxState.ROLLING_BACK);
        tx.enlister.endAll(endFlag);
        List<Branch> heuristics = c.rollbacker.rollback(tx);
        afterCompletion(tx, heuristics.isEmpty() ? TxState.ROLLED_BACK : TxState.HEURISTIC_COMMIT);
        return heuristics;
    }

    // ------------------------------------------------------------------ synchronizations

    /** Runs beforeCompletion: regular ones first, then interposed; ones registered meanwhile run too. */
    private Throwable beforeCompletion(LockstepTransaction tx) {
        int regular = 0;
        int interposed = 0;
        boolean progress = true;
        while (progress) {
            progress = false;
            Synchronization s;
            while ((s = tx.synchronizationAt(tx.synchronizations, regular)) != null) {
                regular++;
                progress = true;
                Throwable t = callBefore(tx, s);
                if (t != null) {
                    return t;
                }
            }
            while ((s = tx.synchronizationAt(tx.interposed, interposed)) != null) {
                interposed++;
                progress = true;
                Throwable t = callBefore(tx, s);
                if (t != null) {
                    return t;
                }
            }
        }
        return null;
    }

    private static Throwable callBefore(LockstepTransaction tx, Synchronization s) {
        try {
            s.beforeCompletion();
            return null;
        } catch (Throwable t) {
            LOG.log(Level.WARNING, TmMessage.BEFORE_COMPLETION_FAILED + " beforeCompletion of " + s
                    + " in transaction " + tx + " failed; the transaction rolls back", t);
            return t;
        }
    }

    /**
     * Calls afterCompletion with the status of the state the transaction ended in: interposed ones first, then
     * regular; failures are logged and do not propagate.
     */
    private static void afterCompletion(LockstepTransaction tx, TxState end) {
        int status = end.completionStatus();
        afterCompletion(tx, tx.interposed, status);
        afterCompletion(tx, tx.synchronizations, status);
    }

    private static void afterCompletion(LockstepTransaction tx, List<Synchronization> list, int status) {
        for (int i = 0; ; i++) {
            Synchronization s = tx.synchronizationAt(list, i);
            if (s == null) {
                return;
            }
            try {
                s.afterCompletion(status);
            } catch (Throwable t) {
                LOG.log(Level.WARNING, TmMessage.AFTER_COMPLETION_FAILED + " afterCompletion("
                        + TxState.statusName(status) + ") of " + s
                        + " in transaction " + tx + " failed; ignored, the outcome stands", t);
            }
        }
    }

    private static String describeState(LockstepTransaction tx) {
        return tx.state() + (tx.timedOut() ? " (timed out)" : "");
    }
}
