package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.settings.Settings;
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

    public static final long DEFAULT_SEGMENT_BYTES = Settings.LOG_SEGMENT_BYTES.defaultValue();
    public static final long MIN_SEGMENT_BYTES = Settings.MIN_LOG_SEGMENT_BYTES;
    public static final long MAX_SEGMENT_BYTES = Settings.MAX_LOG_SEGMENT_BYTES;

    public LogSettings {
        Objects.requireNonNull(logDirectory, "logDirectory");
        LogLayout.checkNodeId(nodeId);
        Objects.requireNonNull(policy, "policy");
        Settings.LOG_SEGMENT_BYTES.require(segmentBytes);
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
