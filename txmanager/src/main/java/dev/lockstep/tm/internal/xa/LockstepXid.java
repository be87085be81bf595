package dev.lockstep.tm.internal.xa;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import dev.lockstep.tm.spi.LockstepXids;
import dev.lockstep.tm.spi.LockstepXids.GlobalId;
import javax.transaction.xa.Xid;

/**
 * A branch XID of Lockstep (docs/design.md invariant 2; the layout is defined by {@link LockstepXids}). Both parts fit
 * in 64 bytes, the format id is positive and the
 * branch qualifier is never empty (MariaDB rejects an empty bqual and a format id of -1).
 *
 * <pre>
 * format id   0x4C4B5354 ("LKST")
 * gtrid       offset  size  field
 *             0       1     layout version, 1
 *             1       1     n = length of the node id (1..34)
 *             2       n     node id, US-ASCII [A-Za-z0-9._-]
 *             2+n     8     incarnation (one per process start, persisted, increasing), big-endian
 *             10+n    8     begin time, epoch milliseconds
 *             18+n    4     timeout in seconds (begin + timeout = the decision deadline, invariant 5)
 *             22+n    8     sequence number within the incarnation
 *             = 30+n bytes, at most 64
 * bqual       0       4     branch number within the transaction, 1-based, big-endian
 * </pre>
 *
 * <p>Equality is by content, so an {@code Xid} returned by a resource's {@code recover()} can be looked up.
 */
public final class LockstepXid implements Xid {

    /** "LKST": a positive format id (MariaDB treats -1 as a syntax error, docs/xa-quirks.md). */
    public static final int FORMAT_ID = LockstepXids.FORMAT_ID;
    public static final int LAYOUT_VERSION = LockstepXids.LAYOUT_VERSION;
    private static final int FIXED_GTRID_BYTES = LockstepXids.FIXED_GTRID_BYTES;
    public static final int MAX_NODE_ID_LENGTH = LockstepXids.MAX_NODE_ID_LENGTH;

    private final byte[] gtrid;
    private final byte[] bqual;
    private final int hash;

    private LockstepXid(byte[] gtrid, byte[] bqual) {
        this.gtrid = gtrid;
        this.bqual = bqual;
        this.hash = 31 * Arrays.hashCode(gtrid) + Arrays.hashCode(bqual);
    }

    /** The gtrid of a new transaction. */
    static byte[] newGtrid(byte[] nodeIdAscii, long incarnation, long beginMillis, int timeoutSeconds, long sequence) {
        ByteBuffer b = ByteBuffer.allocate(FIXED_GTRID_BYTES + nodeIdAscii.length);
        b.put((byte) LAYOUT_VERSION).put((byte) nodeIdAscii.length).put(nodeIdAscii);
        b.putLong(incarnation).putLong(beginMillis).putInt(timeoutSeconds).putLong(sequence);
        return b.array();
    }

    /** The XID of branch {@code branchNumber} (1-based) of the transaction {@code gtrid}; shares the gtrid array. */
    public static LockstepXid branch(byte[] gtrid, int branchNumber) {
        if (branchNumber < 1) {
            throw new IllegalArgumentException("branch numbers start at 1, got " + branchNumber);
        }
        byte[] bqual = {(byte) (branchNumber >>> 24), (byte) (branchNumber >>> 16),
                (byte) (branchNumber >>> 8), (byte) branchNumber};
        return new LockstepXid(gtrid, bqual);
    }

    /** An XID with the given parts (copied), as read back from the log. */
    public static LockstepXid of(byte[] gtrid, byte[] bqual) {
        return new LockstepXid(gtrid.clone(), bqual.clone());
    }

    /**
     * The parsed global id of {@code xid} if it is one of Lockstep's (our format id and layout), else null.
     * Recovery uses this to leave other applications' and other TMs' XIDs alone.
     */
    public static GlobalId parse(Xid xid) {
        if (xid == null || xid.getFormatId() != FORMAT_ID) {
            return null;
        }
        return parseGtrid(xid.getGlobalTransactionId());
    }

    /** The fields of {@code gtrid} if it has our layout ({@link LockstepXids#parseGlobalId}), else null. */
    public static GlobalId parseGtrid(byte[] gtrid) {
        return LockstepXids.parseGlobalId(gtrid).orElse(null);
    }

    @Override
    public int getFormatId() {
        return FORMAT_ID;
    }

    /** The gtrid; callers must not modify it (resource adapters only read it). */
    @Override
    public byte[] getGlobalTransactionId() {
        return gtrid;
    }

    @Override
    public byte[] getBranchQualifier() {
        return bqual;
    }

    public int branchNumber() {
        return ByteBuffer.wrap(bqual).getInt();
    }

    /** True if {@code other} is an Xid with the same format id, gtrid and bqual, whatever its class. */
    public boolean sameAs(Xid other) {
        return other != null && other.getFormatId() == FORMAT_ID
                && Arrays.equals(gtrid, other.getGlobalTransactionId())
                && Arrays.equals(bqual, other.getBranchQualifier());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LockstepXid x && hash == x.hash && Arrays.equals(gtrid, x.gtrid)
                && Arrays.equals(bqual, x.bqual);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        GlobalId g = parseGtrid(gtrid);
        return (g == null ? HexFormat.of().formatHex(gtrid) : g.toString()) + "/b" + branchNumber();
    }
}
