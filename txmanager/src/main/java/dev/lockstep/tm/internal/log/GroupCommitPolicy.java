package dev.lockstep.tm.internal.log;

import java.time.Duration;
import java.util.Objects;

/**
 * How the writer batches records into one force (DESIGN.md invariant 10).
 *
 * @param maxBatchBytes once this many bytes are pending, the writer stops waiting for more and an END appender
 *     writes them out itself, so the pending buffer stays bounded
 * @param maxWait how long the writer waits for more records before it forces; zero (the default) forces at once,
 *     which is right unless forces are very expensive: concurrent committers still share a force, because records
 *     appended while one force runs all go into the next
 */
public record GroupCommitPolicy(int maxBatchBytes, Duration maxWait) {

    /** 1 MiB, no wait. */
    public static final GroupCommitPolicy DEFAULT = new GroupCommitPolicy(1 << 20, Duration.ZERO);

    public GroupCommitPolicy {
        Objects.requireNonNull(maxWait, "maxWait");
        if (maxBatchBytes < 4096) {
            throw new IllegalArgumentException("maxBatchBytes must be at least 4096, was " + maxBatchBytes);
        }
        if (maxWait.isNegative() || maxWait.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("maxWait must be between 0 and 1 s, was " + maxWait
                    + "; every committer waits that long for its decision");
        }
    }
}
