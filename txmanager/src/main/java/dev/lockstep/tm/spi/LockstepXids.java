package dev.lockstep.tm.spi;

import dev.lockstep.tm.internal.xa.LockstepXid;
import javax.transaction.xa.Xid;

/** What pools and recovery may know of Lockstep's XIDs (DESIGN.md invariant 2), without the internal layout. */
public final class LockstepXids {

    /** Lockstep's XA format id ("LKST"). */
    public static final int FORMAT_ID = LockstepXid.FORMAT_ID;

    private LockstepXids() {
    }

    /** True if {@code xid} is one of Lockstep's (format id and gtrid layout). */
    public static boolean isLockstep(Xid xid) {
        return LockstepXid.parse(xid) != null;
    }

    /** The node id that made {@code xid}, or null if it is not one of Lockstep's. */
    public static String nodeIdOf(Xid xid) {
        LockstepXid.Gtrid g = LockstepXid.parse(xid);
        return g == null ? null : g.nodeId();
    }

    /**
     * {@code node:incarnation:sequence} of a global transaction id, as Lockstep's messages name a transaction, or
     * null if it is not one of Lockstep's. For tools that show what the recovery service's {@code gtrid=} (hex)
     * lines are about.
     */
    public static String describe(byte[] gtrid) {
        LockstepXid.Gtrid g = LockstepXid.Gtrid.parse(gtrid);
        return g == null ? null : g.toString();
    }
}
