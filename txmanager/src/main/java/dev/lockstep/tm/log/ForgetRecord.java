package dev.lockstep.tm.log;

import java.util.Arrays;

/**
 * An operator cleared the heuristic outcomes of a transaction; this ends its decision for good. Forced, so a cleared
 * heuristic does not reappear after a crash.
 */
public record ForgetRecord(byte[] gtrid) implements LogRecord {

    public ForgetRecord {
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
        return o instanceof ForgetRecord f && Arrays.equals(gtrid, f.gtrid);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(gtrid);
    }

    @Override
    public String toString() {
        return "FORGET[gtrid=" + Bytes.hex(gtrid) + "]";
    }
}
