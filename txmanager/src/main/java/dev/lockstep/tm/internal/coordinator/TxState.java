package dev.lockstep.tm.internal.coordinator;

import jakarta.transaction.Status;
import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a transaction and the legal moves between them. Every move goes through {@link #checkMove}, so an
 * illegal one fails loudly with both states named instead of corrupting the protocol.
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
    UNKNOWN(Status.STATUS_UNKNOWN);

    static {
        ACTIVE.next = EnumSet.of(MARKED_ROLLBACK, PREPARING, COMMITTING, COMMITTED, ROLLING_BACK);
        MARKED_ROLLBACK.next = EnumSet.of(ROLLING_BACK);
        PREPARING.next = EnumSet.of(PREPARED, COMMITTED, ROLLING_BACK);
        PREPARED.next = EnumSet.of(COMMITTING, ROLLING_BACK, UNKNOWN);
        COMMITTING.next = EnumSet.of(COMMITTED, ROLLED_BACK, ROLLING_BACK);
        COMMITTED.next = EnumSet.noneOf(TxState.class);
        ROLLING_BACK.next = EnumSet.of(ROLLED_BACK);
        ROLLED_BACK.next = EnumSet.noneOf(TxState.class);
        UNKNOWN.next = EnumSet.noneOf(TxState.class);
    }

    private final int jtaStatus;
    private Set<TxState> next;

    TxState(int jtaStatus) {
        this.jtaStatus = jtaStatus;
    }

    /** The {@link Status} constant of this state. */
    public int jtaStatus() {
        return jtaStatus;
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
            throw new IllegalStateException("LKS-101 transaction " + tx + " cannot move from " + this + " to " + target
                    + " (legal: " + next + ")");
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
