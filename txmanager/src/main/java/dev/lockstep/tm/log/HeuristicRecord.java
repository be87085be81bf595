package dev.lockstep.tm.log;

import java.util.Arrays;
import java.util.Objects;

/**
 * A resource decided a branch on its own (docs/design.md invariant 7). Forced; it keeps the decision alive in the log,
 * even
 * after an END, until a {@link ForgetRecord} clears it.
 */
public record HeuristicRecord(byte[] gtrid, byte[] bqual, String resourceName, HeuristicOutcome outcome, long atMillis)
        implements LogRecord {

    public HeuristicRecord {
        gtrid = Bytes.copyChecked(gtrid, "gtrid", 1, RecordCodec.MAX_ID_BYTES);
        bqual = Bytes.copyChecked(bqual, "bqual", 0, RecordCodec.MAX_ID_BYTES);
        resourceName = Bytes.checkedName(resourceName);
        Objects.requireNonNull(outcome, "outcome");
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
    public byte[] bqual() {
        return bqual.clone();
    }

    byte[] rawBqual() {
        return bqual;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeuristicRecord h && Arrays.equals(gtrid, h.gtrid) && Arrays.equals(bqual, h.bqual)
                && resourceName.equals(h.resourceName) && outcome == h.outcome && atMillis == h.atMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(gtrid), Arrays.hashCode(bqual), resourceName, outcome, atMillis);
    }

    @Override
    public String toString() {
        return "HEURISTIC[gtrid=" + Bytes.hex(gtrid) + ", bqual=" + Bytes.hex(bqual) + ", resource=" + resourceName
                + ", outcome=" + outcome + ", atMillis=" + atMillis + "]";
    }
}
