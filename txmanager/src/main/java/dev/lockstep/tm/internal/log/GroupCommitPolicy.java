package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.settings.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * How the writer batches records into one force (docs/design.md invariant 10).
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

    /** The bounds are the settings' ({@link Settings}): a user reaches this only through them. */
    public GroupCommitPolicy {
        Settings.GROUP_COMMIT_MAX_BATCH_BYTES.require(maxBatchBytes);
        Settings.GROUP_COMMIT_MAX_WAIT.require(Objects.requireNonNull(maxWait, "maxWait"));
    }
}
