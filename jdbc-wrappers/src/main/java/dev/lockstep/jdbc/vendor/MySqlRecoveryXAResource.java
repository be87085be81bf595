package dev.lockstep.jdbc.vendor;

import dev.lockstep.tm.spi.LockstepXids;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The XAResource of a MySQL/MariaDB recovery connection.
 *
 * <p>Why (XA-QUIRKS.md, MariaDB): {@code XA RECOVER} is server-wide, so it lists the branches of every database and
 * every transaction manager on the server; only Lockstep's own ({@link LockstepXids#isLockstep}) are returned, so
 * recovery never touches a branch that is not ours (DESIGN.md invariant 2). MySQL 8 refuses {@code XA RECOVER}
 * without the {@code XA_RECOVER_ADMIN} privilege; the error then says which privilege to grant.
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
                throw xaException(XAException.XAER_RMERR, "LKS-413 XA RECOVER was refused on " + where
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
