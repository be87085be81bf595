package dev.lockstep.tm.log;

import java.util.Arrays;

/**
 * Every branch of the transaction finished (docs/design.md invariant 6). Never forced (invariant 9): losing it in a
 * crash
 * only makes recovery repeat an idempotent commit.
 */
public record EndRecord(byte[] gtrid) implements LogRecord {

    public EndRecord {
        gtrid = Bytes.copyChecked(gtrid, "gtrid", 1, RecordCodec.MAX_ID_BYTES);
    }

    @Override
    public byte[] gtrid() {
        return gtrid.clone();
    }

    /** The id itself, not a copy, for the codec and map keys of this package; never hand it out. */
    byte[] rawGtrid() {
        return gtrid;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EndRecord e && Arrays.equals(gtrid, e.gtrid);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(gtrid);
    }

    @Override
    public String toString() {
        return "END[gtrid=" + Bytes.hex(gtrid) + "]";
    }
}
