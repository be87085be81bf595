package dev.lockstep.tm.log;

import java.util.Arrays;

/**
 * A global transaction id compared by content, so it can key maps ({@code byte[]} compares by identity).
 */
public final class Gtrid implements Comparable<Gtrid> {

    private final byte[] bytes;

    private Gtrid(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Wraps a copy of {@code gtrid} (1..64 bytes, the XA limit). */
    public static Gtrid of(byte[] gtrid) {
        return new Gtrid(Bytes.copyChecked(gtrid, "gtrid", 1, RecordCodec.MAX_ID_BYTES));
    }

    /** Wraps {@code gtrid} itself: only for arrays that were checked and are never changed (the records' own). */
    static Gtrid ofTrusted(byte[] gtrid) {
        return new Gtrid(gtrid);
    }

    /** A copy of the id's bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Gtrid other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(Gtrid o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    /** The id in lower-case hex, as it appears in every log message. */
    @Override
    public String toString() {
        return Bytes.hex(bytes);
    }
}
