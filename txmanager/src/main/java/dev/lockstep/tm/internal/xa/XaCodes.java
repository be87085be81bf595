package dev.lockstep.tm.internal.xa;

import dev.lockstep.tm.log.HeuristicOutcome;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;

/**
 * The one home of Lockstep's knowledge of XA error codes: their names, and what each means in each phase.
 * The meanings follow the X/Open XA specification and what PostgreSQL, MariaDB and Artemis really do
 * (docs/xa-quirks.md); docs/failure-matrix.md is rendered from the tests that exercise every row.
 */
public final class XaCodes {

    private XaCodes() {
    }

    /** What a prepare call's outcome means for the transaction. */
    public enum PrepareOutcome {
        /** The branch is prepared and must be finished in phase two. */
        PREPARED,
        /** The branch did no work; it has no phase two. */
        READ_ONLY,
        /** The resource has already rolled the branch back: roll the transaction back, nothing to undo there. */
        ROLLED_BACK,
        /** The branch's state is unknown or bad: roll the transaction back, rollback this branch too. */
        FAILED
    }

    /** What a phase-two call's outcome (commit after a decision, or rollback) means for that branch. */
    public enum PhaseTwoOutcome {
        /** The branch reached the decided outcome. */
        DONE,
        /** The resource could not be reached or is busy: try again later; the outcome is still the decision. */
        RETRY,
        /** The resource does not know the branch: on a first commit, a lost branch; on a retry, perhaps done. */
        NOT_FOUND,
        /** The resource decided on its own, against the decision: record and report a heuristic outcome. */
        HEURISTIC_ROLLBACK,
        HEURISTIC_COMMIT,
        HEURISTIC_MIXED,
        HEURISTIC_HAZARD
    }

    /** What a one-phase commit's answer means: the resource alone decided, and its code is all the TM learns. */
    public enum OnePhaseOutcome {
        /** Committed (normally, or heuristically, which is the outcome asked for). */
        COMMITTED,
        /** Rolled back: the transaction did not happen. */
        ROLLED_BACK,
        /** Some of the branch's work committed and some rolled back (XA_HEURMIX): a heuristic to record. */
        MIXED,
        /** Unknown: the branch may have committed. Reported as a heuristic hazard, never guessed. */
        UNKNOWN
    }

    /**
     * The meaning of {@code commit(xid, true)} throwing {@code code} (docs/xa-quirks.md, "One-phase commit: what the
     * codes mean"). XA_RB*, XA_HEURRB and XAER_NOTA mean it did not commit: the drivers raise NOTA before anything is
     * sent, and MariaDB never answers it there. XAER_RMERR is read as unknown, against the XA specification's wording
     * (and Narayana): MariaDB raises it when its commit failed after the binary log or the engine had committed, and a
     * one-phase commit has no log record to settle it. XAER_RMFAIL is also what both drivers say when the reply of a
     * successful commit was lost.
     */
    public static OnePhaseOutcome ofOnePhaseCommitError(int code) {
        if (code == XAException.XA_HEURCOM) {
            return OnePhaseOutcome.COMMITTED;
        }
        if (isRollbackCode(code) || code == XAException.XA_HEURRB || code == XAException.XAER_NOTA) {
            return OnePhaseOutcome.ROLLED_BACK;
        }
        return code == XAException.XA_HEURMIX ? OnePhaseOutcome.MIXED : OnePhaseOutcome.UNKNOWN;
    }

    /**
     * The meaning of {@code commit(xid, true)} throwing {@code failure}: an XAException by its code; anything else (a
     * driver bug, a broken connection) as XAER_RMFAIL, an outcome nobody can tell.
     */
    public static OnePhaseOutcome ofOnePhaseCommitError(Throwable failure) {
        return ofOnePhaseCommitError(failure instanceof XAException xa ? xa.errorCode : XAException.XAER_RMFAIL);
    }

    /** The meaning of {@code prepare} returning normally with {@code vote}. */
    public static PrepareOutcome ofVote(int vote) {
        // XA_RDONLY: the branch did no updates and the RM already released it (PostgreSQL and MariaDB never say so).
        return vote == XAResource.XA_RDONLY ? PrepareOutcome.READ_ONLY : PrepareOutcome.PREPARED;
    }

    /** The meaning of {@code prepare} (or {@code end} before it) throwing {@code code}. */
    public static PrepareOutcome ofPrepareError(int code) {
        if (isRollbackCode(code)) {
            // XA_RB*: the RM rolled the branch back and forgot it; a rollback call would only get XAER_NOTA.
            return PrepareOutcome.ROLLED_BACK;
        }
        // XAER_RMFAIL, XAER_RMERR, XAER_NOTA, XAER_PROTO, XAER_INVAL, heuristics (illegal here): the branch may or may
        // not be prepared (MariaDB even says RMFAIL for an unknown Xid); rolling back is always safe before a decision.
        return PrepareOutcome.FAILED;
    }

    /**
     * The meaning of {@code prepare} throwing {@code failure}: an XAException by its code; anything else (a driver bug,
     * a broken connection) leaves the branch maybe prepared, so it is rolled back like a failed vote.
     */
    public static PrepareOutcome ofPrepareError(Throwable failure) {
        return failure instanceof XAException xa ? ofPrepareError(xa.errorCode) : PrepareOutcome.FAILED;
    }

    /**
     * True if {@code start} or {@code end} threw an XA_RB* code: the RM has already rolled the branch back, so the
     * transaction can only roll back. Anything else says nothing about the branch's work.
     */
    public static boolean rolledBack(Throwable failure) {
        return failure instanceof XAException xa && isRollbackCode(xa.errorCode);
    }

    /**
     * The vote a branch keeps after its {@code end} threw {@code failure}: XA_RB* means the RM rolled the branch back
     * (nothing left to undo there); anything else leaves its state unknown, so it is rolled back like a failed vote.
     * A vote already recorded stays.
     */
    public static PrepareOutcome ofEndError(Throwable failure, PrepareOutcome current) {
        if (rolledBack(failure)) {
            return PrepareOutcome.ROLLED_BACK;
        }
        return current == null ? PrepareOutcome.FAILED : current;
    }

    /** The meaning of {@code commit(xid, false)} after the decision, or of {@code rollback}, throwing {@code code}. */
    public static PhaseTwoOutcome ofPhaseTwoError(int code, boolean committing) {
        switch (code) {
            case XAException.XA_HEURCOM:
                // The RM committed on its own: right when committing, a heuristic when rolling back.
                return committing ? PhaseTwoOutcome.DONE : PhaseTwoOutcome.HEURISTIC_COMMIT;
            case XAException.XA_HEURRB:
                return committing ? PhaseTwoOutcome.HEURISTIC_ROLLBACK : PhaseTwoOutcome.DONE;
            case XAException.XA_HEURMIX:
                return PhaseTwoOutcome.HEURISTIC_MIXED;
            case XAException.XA_HEURHAZ:
                return PhaseTwoOutcome.HEURISTIC_HAZARD;
            case XAException.XAER_NOTA:
                // Rolling back a branch the RM does not know is done (presumed abort). Committing one is either a
                // lost branch (first attempt) or a finished one (retry): the caller decides (invariant 6).
                return committing ? PhaseTwoOutcome.NOT_FOUND : PhaseTwoOutcome.DONE;
            case XAException.XAER_RMFAIL:
            case XAException.XA_RETRY:
            case XAException.XAER_RMERR:
            case XAException.XAER_PROTO:
            case XAException.XAER_INVAL:
            case XAException.XAER_ASYNC:
                // RMFAIL/RETRY: unreachable or busy. RMERR: PostgreSQL answers it after a server crash for a branch
                // that is still prepared (docs/xa-quirks.md): never final. PROTO/INVAL/ASYNC: a driver's confusion; the
                // call is idempotent, so trying again later is safe and keeps the branch visible.
                return PhaseTwoOutcome.RETRY;
            default:
                if (isRollbackCode(code)) {
                    // XA_RB* after prepare: the RM rolled back a prepared branch (Artemis says XA_RETRY instead).
                    return committing ? PhaseTwoOutcome.HEURISTIC_ROLLBACK : PhaseTwoOutcome.DONE;
                }
                return PhaseTwoOutcome.RETRY;
        }
    }

    /** The heuristic outcome to record for a phase-two {@code outcome} that is one (or NOT_FOUND on a first commit). */
    public static HeuristicOutcome heuristicOf(PhaseTwoOutcome outcome, boolean committing) {
        return switch (outcome) {
            case NOT_FOUND -> HeuristicOutcome.LOST;
            case HEURISTIC_ROLLBACK -> HeuristicOutcome.ROLLBACK;
            case HEURISTIC_COMMIT, HEURISTIC_MIXED -> HeuristicOutcome.MIXED;
            case HEURISTIC_HAZARD -> HeuristicOutcome.HAZARD;
            default -> throw new IllegalArgumentException("not a heuristic: " + outcome
                    + (committing ? " (commit)" : " (rollback)"));
        };
    }

    /**
     * True for the heuristic codes (XA_HEURCOM, XA_HEURRB, XA_HEURMIX, XA_HEURHAZ): the RM keeps its own decision about
     * the branch, and lists it in {@code recover()}, until it is told to {@code forget} it. The other codes leave
     * nothing to forget.
     */
    public static boolean remembersHeuristic(int code) {
        return code == XAException.XA_HEURCOM || code == XAException.XA_HEURRB || code == XAException.XA_HEURMIX
                || code == XAException.XA_HEURHAZ;
    }

    /** True for the XA_RB* range: the branch has been rolled back. */
    public static boolean isRollbackCode(int code) {
        return code >= XAException.XA_RBBASE && code <= XAException.XA_RBEND;
    }

    /** The symbolic name of an XA error code, e.g. {@code XAER_RMFAIL(-7)}. */
    public static String name(int code) {
        String n = switch (code) {
            case XAException.XA_RBROLLBACK -> "XA_RBROLLBACK";
            case XAException.XA_RBCOMMFAIL -> "XA_RBCOMMFAIL";
            case XAException.XA_RBDEADLOCK -> "XA_RBDEADLOCK";
            case XAException.XA_RBINTEGRITY -> "XA_RBINTEGRITY";
            case XAException.XA_RBOTHER -> "XA_RBOTHER";
            case XAException.XA_RBPROTO -> "XA_RBPROTO";
            case XAException.XA_RBTIMEOUT -> "XA_RBTIMEOUT";
            case XAException.XA_RBTRANSIENT -> "XA_RBTRANSIENT";
            case XAException.XA_NOMIGRATE -> "XA_NOMIGRATE";
            case XAException.XA_HEURHAZ -> "XA_HEURHAZ";
            case XAException.XA_HEURCOM -> "XA_HEURCOM";
            case XAException.XA_HEURRB -> "XA_HEURRB";
            case XAException.XA_HEURMIX -> "XA_HEURMIX";
            case XAException.XA_RETRY -> "XA_RETRY";
            case XAException.XA_RDONLY -> "XA_RDONLY";
            case XAException.XAER_ASYNC -> "XAER_ASYNC";
            case XAException.XAER_RMERR -> "XAER_RMERR";
            case XAException.XAER_NOTA -> "XAER_NOTA";
            case XAException.XAER_INVAL -> "XAER_INVAL";
            case XAException.XAER_PROTO -> "XAER_PROTO";
            case XAException.XAER_RMFAIL -> "XAER_RMFAIL";
            case XAException.XAER_DUPID -> "XAER_DUPID";
            case XAException.XAER_OUTSIDE -> "XAER_OUTSIDE";
            case 0 -> "XA_OK";
            default -> "XA_UNKNOWN";
        };
        return n + "(" + code + ")";
    }

    /** The code of an exception thrown by an XA call: the XAException's errorCode, XAER_RMERR for anything else. */
    public static int codeOf(Throwable t) {
        return t instanceof XAException xa ? xa.errorCode : XAException.XAER_RMERR;
    }

    /**
     * What recovery's commit or rollback of a branch that {@code recover()} just listed means, given the outcome
     * {@link #ofPhaseTwoError} (or success) gave and the call's failure. XAER_NOTA is not done for either verb there:
     * MariaDB answers it while another session (the owner's) still holds the branch; a later {@code recover()} that
     * no longer lists it is the proof (invariant 6).
     */
    public static PhaseTwoOutcome ofRecoveryPhaseTwo(PhaseTwoOutcome outcome, Throwable failure) {
        return failure instanceof XAException e && e.errorCode == XAException.XAER_NOTA
                ? PhaseTwoOutcome.NOT_FOUND : outcome;
    }
}
