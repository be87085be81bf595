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
}
