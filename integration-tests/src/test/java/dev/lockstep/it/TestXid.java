package dev.lockstep.it;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/** A branch id one test alone uses: Lockstep's format id, a random gtrid, a short non-empty bqual. */
record TestXid(int formatId, byte[] gtrid, byte[] bqual) implements Xid {

    static TestXid random(String bqual) {
        return new TestXid(0x4C4B5354, UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII),
                bqual.getBytes(StandardCharsets.US_ASCII));
    }

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

    /** True if {@code xa}'s {@code recover()} lists this branch. */
    boolean listedBy(XAResource xa) throws XAException {
        Xid[] listed = xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
        return listed != null && Arrays.stream(listed).anyMatch(x -> x.getFormatId() == formatId
                && Arrays.equals(x.getGlobalTransactionId(), gtrid) && Arrays.equals(x.getBranchQualifier(), bqual));
    }

    @Override
    public String toString() {
        return "TestXid[" + new String(gtrid, StandardCharsets.US_ASCII) + "/"
                + new String(bqual, StandardCharsets.US_ASCII) + "]";
    }
}
