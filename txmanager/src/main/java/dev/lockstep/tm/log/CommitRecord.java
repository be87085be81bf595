package dev.lockstep.tm.log;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The durable COMMIT decision (docs/design.md invariant 1): forced before the first phase-two commit call. It lists
 * every
 * prepared branch with the stable name of its resource (invariant 3), so the recovery service knows where to look.
 */
public record CommitRecord(byte[] gtrid, long decidedAtMillis, List<RecordedBranch> branches) implements LogRecord {

    /** One prepared branch: its qualifier and the name of the resource that prepared it. */
    public record RecordedBranch(byte[] bqual, String resourceName) {

        public RecordedBranch {
            bqual = Bytes.copyChecked(bqual, "bqual", 0, RecordCodec.MAX_ID_BYTES);
            resourceName = Bytes.checkedName(resourceName);
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
            return o instanceof RecordedBranch b && Arrays.equals(bqual, b.bqual)
                    && resourceName.equals(b.resourceName);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(bqual) + resourceName.hashCode();
        }

        @Override
        public String toString() {
            return "Branch[bqual=" + Bytes.hex(bqual) + ", resource=" + resourceName + "]";
        }
    }

    public CommitRecord {
        gtrid = Bytes.copyChecked(gtrid, "gtrid", 1, RecordCodec.MAX_ID_BYTES);
        Objects.requireNonNull(branches, "branches");
        if (branches.isEmpty() || branches.size() > RecordCodec.MAX_BRANCHES) {
            throw new IllegalArgumentException("a COMMIT record lists 1.." + RecordCodec.MAX_BRANCHES
                    + " branches, got " + branches.size() + " for gtrid " + Bytes.hex(gtrid));
        }
        branches = List.copyOf(branches);
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
        return o instanceof CommitRecord c && Arrays.equals(gtrid, c.gtrid) && decidedAtMillis == c.decidedAtMillis
                && branches.equals(c.branches);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(gtrid), decidedAtMillis, branches);
    }

    @Override
    public String toString() {
        return "COMMIT[gtrid=" + Bytes.hex(gtrid) + ", decidedAtMillis=" + decidedAtMillis + ", branches=" + branches
                + "]";
    }
}
