package dev.lockstep.jdbc.vendor;

import dev.lockstep.jdbc.JdbcMessage;
import dev.lockstep.tm.spi.LockstepXids;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The XAResource of a MySQL/MariaDB recovery connection: what phase-two retries and recovery use.
 *
 * <ul>
 *   <li>{@code XA RECOVER} is server-wide, so it lists the branches of every database and every transaction manager
 *       on the server; only Lockstep's own ({@link LockstepXids#isLockstep}) are returned, so recovery never touches
 *       a branch that is not ours (docs/recovery.md, step 1). MySQL 8 refuses {@code XA RECOVER} without the
 *       {@code XA_RECOVER_ADMIN} privilege; the error then says which privilege to grant.</li>
 *   <li>A branch without writes is not durable: MariaDB rolls it back when its preparing session ends, and a later
 *       {@code commit(xid, false)} answers {@code XA_RBROLLBACK} (docs/xa-quirks.md, "MariaDB: a prepared branch
 *       without writes"). Nothing was lost, so that answer, for a branch {@code XA RECOVER} no longer lists, is passed
 *       on as {@code XAER_NOTA}, which the transaction manager and recovery read as "finished once recover() no
 *       longer lists it" (docs/recovery.md, step 3), never as a heuristic rollback.</li>
 * </ul>
 */
public final class MySqlRecoveryXAResource extends ForwardingXAResource {

    private static final int ER_SPECIFIC_ACCESS_DENIED = 1227;

    private final String where;

    /** {@code where} names the resource and server in messages, e.g. {@code "billing-db (jdbc:mysql://...)"}. */
    public MySqlRecoveryXAResource(XAResource delegate, String where) {
        super(delegate);
        this.where = where;
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        Xid[] all;
        try {
            all = delegate.recover(flag);
        } catch (XAException e) {
            if (isPrivilegeRefusal(e)) {
                throw xaException(XAException.XAER_RMERR, JdbcMessage.MYSQL_XA_RECOVER_REFUSED
                        + " XA RECOVER was refused on " + where
                        + " for lack of privilege (MySQL 8 requires XA_RECOVER_ADMIN to list prepared branches): "
                        + "grant it to the pool's user, e.g. GRANT XA_RECOVER_ADMIN ON *.* TO 'user'@'%'; "
                        + "until then in-doubt branches of this resource cannot be recovered. Server said: "
                        + e.getMessage(), e);
            }
            throw e;
        }
        if (all == null) {
            return new Xid[0];
        }
        return Arrays.stream(all).filter(LockstepXids::isLockstep).toArray(Xid[]::new);
    }

    /**
     * Commits; {@code XA_RBROLLBACK} for a two-phase commit of a branch that {@code XA RECOVER} no longer lists becomes
     * {@code XAER_NOTA} ({@link JdbcMessage#MARIADB_BRANCH_DROPPED}): on MariaDB it means the branch had no writes and
     * was dropped when its session ended, not that prepared work was rolled back.
     */
    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        try {
            delegate.commit(xid, onePhase);
        } catch (XAException e) {
            if (onePhase || e.errorCode != XAException.XA_RBROLLBACK || stillListed(xid, e)) {
                throw e;
            }
            throw xaException(XAException.XAER_NOTA, JdbcMessage.MARIADB_BRANCH_DROPPED + " " + where
                    + " answered XA_RBROLLBACK to the commit of "
                    + "branch " + xid + " and XA RECOVER no longer lists it: the branch had no writes, so MariaDB "
                    + "dropped it when its preparing session ended (docs/xa-quirks.md); nothing to commit, no data "
                    + "lost. Reported as XAER_NOTA. Server said: " + e.getMessage(), e);
        }
    }

    /** True if {@code XA RECOVER} lists {@code xid}, or if it cannot tell (then the original answer stands). */
    private boolean stillListed(Xid xid, XAException commitFailure) {
        Xid[] listed;
        try {
            listed = delegate.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
        } catch (XAException | RuntimeException e) {
            commitFailure.addSuppressed(e);
            return true;
        }
        if (listed == null) {
            return false;
        }
        for (Xid x : listed) {
            if (x.getFormatId() == xid.getFormatId()
                    && Arrays.equals(x.getGlobalTransactionId(), xid.getGlobalTransactionId())
                    && Arrays.equals(x.getBranchQualifier(), xid.getBranchQualifier())) {
                return true;
            }
        }
        return false;
    }

    /** True if the failure (or one of its causes) is the server refusing XA RECOVER for a missing privilege. */
    static boolean isPrivilegeRefusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getErrorCode() == ER_SPECIFIC_ACCESS_DENIED) {
                return true;
            }
            String m = t.getMessage();
            if (m != null) {
                String lower = m.toLowerCase(Locale.ROOT);
                if (lower.contains("xa_recover_admin") || lower.contains("access denied")) {
                    return true;
                }
            }
        }
        return false;
    }
}
