package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.log.LogLayout;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and how one node writes its decision log; validated when built, immutable after.
 *
 * @param logDirectory the directory that holds one sub-directory per node id
 * @param nodeId 1..34 characters of {@code [A-Za-z0-9._-]}
 * @param segmentBytes nominal size of a segment file, preallocated with zeros; at least 64 KiB, default 16 MiB
 * @param policy how records are batched into forces
 */
public record LogSettings(Path logDirectory, String nodeId, long segmentBytes, GroupCommitPolicy policy) {

    public static final long DEFAULT_SEGMENT_BYTES = 16L << 20;
    public static final long MIN_SEGMENT_BYTES = 64L << 10;
    /** Offsets inside a segment stay well inside an int, and a segment stays quick to scan. */
    public static final long MAX_SEGMENT_BYTES = 1L << 30;

    public LogSettings {
        Objects.requireNonNull(logDirectory, "logDirectory");
        LogLayout.checkNodeId(nodeId);
        Objects.requireNonNull(policy, "policy");
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be between " + MIN_SEGMENT_BYTES + " and "
                    + MAX_SEGMENT_BYTES + ", was " + segmentBytes);
        }
    }

    /** Settings with a 16 MiB segment and the default group-commit policy. */
    public static LogSettings of(Path logDirectory, String nodeId) {
        return new LogSettings(logDirectory, nodeId, DEFAULT_SEGMENT_BYTES, GroupCommitPolicy.DEFAULT);
    }

    public LogSettings withSegmentBytes(long bytes) {
        return new LogSettings(logDirectory, nodeId, bytes, policy);
    }

    public LogSettings withPolicy(GroupCommitPolicy newPolicy) {
        return new LogSettings(logDirectory, nodeId, segmentBytes, newPolicy);
    }
}
