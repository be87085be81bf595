package dev.lockstep.tm.spi;

import dev.lockstep.tm.internal.xa.LockstepXid;
import java.time.Instant;
import java.util.Optional;
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

    /**
     * The fields of a Lockstep global transaction id, for tools that show them (the recovery service's list and log
     * dump).
     *
     * @param nodeId the node that began the transaction
     * @param incarnation the process start of that node
     * @param begin when it began
     * @param timeoutSeconds its timeout: begin plus timeout is its decision deadline
     * @param sequence its number within the incarnation
     */
    public record GlobalId(String nodeId, long incarnation, Instant begin, int timeoutSeconds, long sequence) {

        /** {@code node:incarnation:sequence}, as Lockstep's messages print a transaction. */
        public String shortId() {
            return nodeId + ":" + incarnation + ":" + sequence;
        }
    }

    /** The fields of {@code gtrid} if it is one of Lockstep's (layout version 1), else empty. */
    public static Optional<GlobalId> parseGlobalId(byte[] gtrid) {
        LockstepXid.Gtrid g = LockstepXid.Gtrid.parse(gtrid);
        return g == null ? Optional.empty() : Optional.of(new GlobalId(g.nodeId(), g.incarnation(),
                Instant.ofEpochMilli(g.beginMillis()), g.timeoutSeconds(), g.sequence()));
    }

    /** The node id that made {@code xid}, or null if it is not one of Lockstep's. */
    public static String nodeIdOf(Xid xid) {
        LockstepXid.Gtrid g = LockstepXid.parse(xid);
        return g == null ? null : g.nodeId();
    }
}
