package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.Gtrid;
import java.nio.ByteBuffer;
import java.util.List;

/** Test records shaped like Lockstep's: 34-byte gtrid, two branches. */
final class Records {

    private Records() {
    }

    static byte[] gtrid(long n) {
        ByteBuffer b = ByteBuffer.allocate(34);
        b.putInt(0x4C53544B).putLong(n).putLong(~n).putLong(n * 31).putInt(42).putShort((short) n);
        return b.array();
    }

    static Gtrid key(long n) {
        return Gtrid.of(gtrid(n));
    }

    static CommitRecord commit(long n) {
        return new CommitRecord(gtrid(n), 1_700_000_000_000L + n, List.of(
                new CommitRecord.RecordedBranch(new byte[] {0, 0, 0, 1}, "postgres-a"),
                new CommitRecord.RecordedBranch(new byte[] {0, 0, 0, 2}, "artemis-01")));
    }

    static EndRecord end(long n) {
        return new EndRecord(gtrid(n));
    }
}
