package dev.lockstep.testkit;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

import javax.transaction.xa.Xid;

/** Xids shaped like Lockstep's: format id "LKST", random gtrid, non-empty bqual (MariaDB rejects empty). */
public final class TestXids {

    public static final int FORMAT_ID = 0x4C4B5354;
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestXids() {
    }

    public static Xid newXid(String branch) {
        byte[] gtrid = new byte[16];
        RANDOM.nextBytes(gtrid);
        return new SimpleXid(FORMAT_ID, gtrid, branch.getBytes(StandardCharsets.US_ASCII));
    }

    /** An XID with these fields, equal to every XID with the same ones. */
    public static Xid of(int formatId, byte[] gtrid, byte[] bqual) {
        return new SimpleXid(formatId, gtrid.clone(), bqual.clone());
    }

    /** A copy of {@code xid} that is equal to every XID with the same fields, whatever the class of {@code xid}. */
    public static Xid copyOf(Xid xid) {
        return xid instanceof SimpleXid ? xid
                : new SimpleXid(xid.getFormatId(), xid.getGlobalTransactionId(), xid.getBranchQualifier());
    }

    public static boolean same(Xid a, Xid b) {
        return a.getFormatId() == b.getFormatId()
                && Arrays.equals(a.getGlobalTransactionId(), b.getGlobalTransactionId())
                && Arrays.equals(a.getBranchQualifier(), b.getBranchQualifier());
    }

    public static boolean contains(Xid[] xids, Xid wanted) {
        return xids != null && Arrays.stream(xids).anyMatch(x -> same(x, wanted));
    }

    /** True if {@code xa}'s {@code recover()} lists {@code xid}. */
    public static boolean listedBy(javax.transaction.xa.XAResource xa, Xid xid)
            throws javax.transaction.xa.XAException {
        return contains(xa.recover(javax.transaction.xa.XAResource.TMSTARTRSCAN
                | javax.transaction.xa.XAResource.TMENDRSCAN), xid);
    }

    /** Our own Xid class, so the resource managers never see their own Xid implementations come back. */
    record SimpleXid(int formatId, byte[] gtrid, byte[] bqual) implements Xid {
        @Override
        public int getFormatId() {
            return formatId;
        }

        @Override
        public byte[] getGlobalTransactionId() {
            return gtrid.clone();
        }

        @Override
        public byte[] getBranchQualifier() {
            return bqual.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Xid xid && same(this, xid);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * formatId + Arrays.hashCode(gtrid)) + Arrays.hashCode(bqual);
        }

        @Override
        public String toString() {
            return Integer.toHexString(formatId) + ":" + HexFormat.of().formatHex(gtrid) + ":"
                    + new String(bqual, StandardCharsets.US_ASCII);
        }
    }
}
