package dev.lockstep.bench.micro;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import javax.transaction.xa.Xid;

/** The XIDs of the XA calls done by hand: a fixed format id, a 16-byte global id, a 4-byte branch qualifier. */
public final class BenchXid implements Xid {

    private static final int FORMAT_ID = 0x42454E43; // "BENC"
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final long RUN = System.nanoTime();

    private final byte[] gtrid;
    private final byte[] bqual;

    private BenchXid(byte[] gtrid, int branch) {
        this.gtrid = gtrid;
        this.bqual = ByteBuffer.allocate(4).putInt(branch).array();
    }

    /** The branches of one new global transaction, numbered from 1. */
    public static Xid[] branches(int count) {
        byte[] gtrid = ByteBuffer.allocate(16).putLong(RUN).putLong(SEQUENCE.incrementAndGet()).array();
        Xid[] xids = new Xid[count];
        for (int i = 0; i < count; i++) {
            xids[i] = new BenchXid(gtrid, i + 1);
        }
        return xids;
    }

    @Override
    public int getFormatId() {
        return FORMAT_ID;
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
    public boolean equals(Object o) {
        return o instanceof BenchXid x && Arrays.equals(gtrid, x.gtrid) && Arrays.equals(bqual, x.bqual);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(gtrid) + Arrays.hashCode(bqual);
    }
}
