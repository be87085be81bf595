package dev.lockstep.tm;

import dev.lockstep.tm.settings.Settings;
import dev.lockstep.tm.spi.CrashPoint;
import java.nio.file.Path;
import dev.lockstep.tm.store.PostgresDecisionStore;
import java.time.Clock;
import java.time.Duration;

/**
 * The settings one {@link Lockstep} was built with: a validated, immutable copy of its {@link Lockstep.Builder}, so
 * that the builder can go on changing (or build a second instance) without touching the first. Every value is checked
 * against its descriptor in {@link Settings} when the record is made; a bad one fails with a message that names the
 * setting, its bound and what to do.
 */
public record LockstepSettings(String nodeId, Path logDirectory, Duration defaultTimeout, boolean parallelPhases,
        int phaseThreads, Duration retryInitialDelay, Duration retryMaxDelay, Duration timeoutCheckInterval,
        Duration lostBranchWindow, Duration drainTimeout, long logSegmentBytes, int groupCommitMaxBatchBytes,
        Duration groupCommitMaxWait, boolean inProcessRecovery, Duration recoveryInterval, Clock clock,
        CrashPoint.Hook crashHook, PostgresDecisionStore decisionStore) {

    public LockstepSettings {
        Settings.NODE_ID.require(nodeId);
        if (decisionStore == null) {
            Settings.LOG_DIRECTORY.require(logDirectory);
        }
        Settings.DEFAULT_TIMEOUT.require(defaultTimeout);
        Settings.PHASE_THREADS.require(phaseThreads);
        Settings.RETRY_INITIAL_DELAY.require(retryInitialDelay);
        Settings.RETRY_MAX_DELAY.require(retryMaxDelay);
        Settings.TIMEOUT_CHECK_INTERVAL.require(timeoutCheckInterval);
        Settings.LOST_BRANCH_WINDOW.require(lostBranchWindow);
        Settings.DRAIN_TIMEOUT.require(drainTimeout);
        Settings.LOG_SEGMENT_BYTES.require(logSegmentBytes);
        Settings.GROUP_COMMIT_MAX_BATCH_BYTES.require(groupCommitMaxBatchBytes);
        Settings.GROUP_COMMIT_MAX_WAIT.require(groupCommitMaxWait);
        Settings.RECOVERY_INTERVAL.require(recoveryInterval);
        Settings.CLOCK.require(clock);
        Settings.CRASH_HOOK.require(crashHook);
        String backoff = Settings.backoffProblem(retryInitialDelay, retryMaxDelay, "retryInitialDelay");
        if (backoff != null) {
            throw new IllegalArgumentException("retryMaxDelay " + backoff
                    + ": raise Lockstep.Builder.retryMaxDelay(…) or lower retryInitialDelay(…)");
        }
    }
}
