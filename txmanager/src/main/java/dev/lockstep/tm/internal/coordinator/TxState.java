package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.messages.TmMessage;
import jakarta.transaction.Status;
import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a transaction and the legal moves between them. Every move goes through {@link #checkMove}, so an
 * illegal one fails loudly with both states named instead of corrupting the protocol.
 *
 * <p>Each state also says what {@code getStatus()} reports in it, what the afterCompletion callbacks are told when a
 * completion ends in it, and whether it {@link #mustBeLogged() must be logged}: a heuristic end state is reached only
 * by a resource deciding on its own, and that decision may be forgotten (by the resource, told {@code forget}) only
 * once its HEURISTIC record is durable (invariant 7; docs/design.md). {@code getStatus()} keeps reporting the
 * decision (committed or rolled back) in a heuristic state, as JTA's {@code Status} has no heuristic values; the
 * heuristic exception and {@code STATUS_UNKNOWN} given to afterCompletion say what happened.
 */
public enum TxState {
    /** Work in progress; resources may enlist; completion may also be in its beforeCompletion stage. */
    ACTIVE(Status.STATUS_ACTIVE),
    /** Work in progress but the only outcome left is rollback. */
    MARKED_ROLLBACK(Status.STATUS_MARKED_ROLLBACK),
    /** Phase one: branches are being prepared. */
    PREPARING(Status.STATUS_PREPARING),
    /** Every branch voted; the decision is not yet durable. */
    PREPARED(Status.STATUS_PREPARED),
    /** Decided to commit (COMMIT record forced, or a one-phase commit under way). */
    COMMITTING(Status.STATUS_COMMITTING),
    COMMITTED(Status.STATUS_COMMITTED),
    ROLLING_BACK(Status.STATUS_ROLLING_BACK),
    ROLLED_BACK(Status.STATUS_ROLLEDBACK),
    /**
     * The COMMIT record may or may not be durable (its write or force failed after bytes may have reached the disk):
     * the prepared branches are left to recovery, which reads what the log really holds (invariant 6). Terminal, like
     * COMMITTED and ROLLED_BACK.
     */
    UNKNOWN(Status.STATUS_UNKNOWN, Status.STATUS_UNKNOWN, false),
    /**
     * Decided to commit, but no branch committed: each rolled back on its own, lost its prepared work or may have
     * (XA_HEURRB, XA_RB*, XAER_NOTA on the first commit, XA_HEURMIX, XA_HEURHAZ). HeuristicRollbackException.
     */
    HEURISTIC_ROLLBACK(Status.STATUS_COMMITTED, Status.STATUS_UNKNOWN, true),
    /**
     * Decided to commit; some branches committed and others did not (as above), or the one branch of a one-phase
     * commit answered XA_HEURMIX. HeuristicMixedException.
     */
    HEURISTIC_MIXED(Status.STATUS_COMMITTED, Status.STATUS_UNKNOWN, true),
    /**
     * A one-phase commit whose outcome nobody can tell (XA_HEURHAZ, XAER_RMFAIL, XAER_RMERR...): it may have
     * committed. Reported as HeuristicMixedException, never guessed.
     */
    HEURISTIC_HAZARD(Status.STATUS_COMMITTED, Status.STATUS_UNKNOWN, true),
    /**
     * Decided to roll back, but a branch committed on its own, or may have (XA_HEURCOM, XA_HEURMIX, XA_HEURHAZ from
     * rollback). HeuristicMixedException from a commit that rolled back; SystemException from rollback().
     */
    HEURISTIC_COMMIT(Status.STATUS_ROLLEDBACK, Status.STATUS_UNKNOWN, true);

    static {
        ACTIVE.next = EnumSet.of(MARKED_ROLLBACK, PREPARING, COMMITTING, COMMITTED, ROLLING_BACK);
        MARKED_ROLLBACK.next = EnumSet.of(ROLLING_BACK);
        PREPARING.next = EnumSet.of(PREPARED, COMMITTED, ROLLING_BACK);
        PREPARED.next = EnumSet.of(COMMITTING, ROLLING_BACK, UNKNOWN);
        COMMITTING.next = EnumSet.of(COMMITTED, ROLLED_BACK, ROLLING_BACK, HEURISTIC_ROLLBACK, HEURISTIC_MIXED,
                HEURISTIC_HAZARD);
        COMMITTED.next = EnumSet.noneOf(TxState.class);
        ROLLING_BACK.next = EnumSet.of(ROLLED_BACK, HEURISTIC_COMMIT);
        ROLLED_BACK.next = EnumSet.noneOf(TxState.class);
        UNKNOWN.next = EnumSet.noneOf(TxState.class);
        HEURISTIC_ROLLBACK.next = EnumSet.noneOf(TxState.class);
        HEURISTIC_MIXED.next = EnumSet.noneOf(TxState.class);
        HEURISTIC_HAZARD.next = EnumSet.noneOf(TxState.class);
        HEURISTIC_COMMIT.next = EnumSet.noneOf(TxState.class);
    }

    private final int jtaStatus;
    private final int completionStatus;
    private final boolean mustBeLogged;
    private Set<TxState> next;

    TxState(int jtaStatus) {
        this(jtaStatus, jtaStatus, false);
    }

    TxState(int jtaStatus, int completionStatus, boolean mustBeLogged) {
        this.jtaStatus = jtaStatus;
        this.completionStatus = completionStatus;
        this.mustBeLogged = mustBeLogged;
    }

    /** The {@link Status} constant of this state. */
    public int jtaStatus() {
        return jtaStatus;
    }

    /** The {@link Status} constant that afterCompletion is told when a completion ends in this state. */
    public int completionStatus() {
        return completionStatus;
    }

    /**
     * True for the heuristic end states: reaching one means a resource decided on its own, and the resource may be told
     * to forget that decision only once its HEURISTIC record is durable; unrecorded, it stays listed by the resource
     * for recovery to find (invariant 7: heuristics are forgotten only if recorded).
     */
    public boolean mustBeLogged() {
        return mustBeLogged;
    }

    public boolean canMoveTo(TxState target) {
        return next.contains(target);
    }

    public Set<TxState> legalNext() {
        return EnumSet.copyOf(next.isEmpty() ? EnumSet.noneOf(TxState.class) : next);
    }

    public boolean isTerminal() {
        return next.isEmpty();
    }

    /** Returns {@code target} if this state may move to it, else throws naming both states. */
    public TxState checkMove(TxState target, Object tx) {
        if (!canMoveTo(target)) {
            throw new IllegalStateException(TmMessage.ILLEGAL_STATE_MOVE + " transaction " + tx + " cannot move from "
                    + this + " to " + target + " (legal: " + next + ")");
        }
        return target;
    }

    /** The name of a {@link Status} constant, for messages. */
    public static String statusName(int status) {
        return switch (status) {
            case Status.STATUS_ACTIVE -> "STATUS_ACTIVE";
            case Status.STATUS_MARKED_ROLLBACK -> "STATUS_MARKED_ROLLBACK";
            case Status.STATUS_PREPARED -> "STATUS_PREPARED";
            case Status.STATUS_COMMITTED -> "STATUS_COMMITTED";
            case Status.STATUS_ROLLEDBACK -> "STATUS_ROLLEDBACK";
            case Status.STATUS_UNKNOWN -> "STATUS_UNKNOWN";
            case Status.STATUS_NO_TRANSACTION -> "STATUS_NO_TRANSACTION";
            case Status.STATUS_PREPARING -> "STATUS_PREPARING";
            case Status.STATUS_COMMITTING -> "STATUS_COMMITTING";
            case Status.STATUS_ROLLING_BACK -> "STATUS_ROLLING_BACK";
            default -> "STATUS_" + status;
        };
    }
}
