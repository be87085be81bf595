package dev.lockstep.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lockstep.tm.settings.Settings;
import org.junit.jupiter.api.Test;

/**
 * LockstepProperties keeps its defaults as literals, because Boot's configuration processor only puts literal
 * initialisers into the metadata IDEs show; this test keeps them equal to the one description in {@link Settings}.
 */
class LockstepPropertiesDefaultsTest {

    @Test
    void defaultsAreTheSettingsDefaults() {
        LockstepProperties p = new LockstepProperties();
        assertEquals(Settings.DEFAULT_TIMEOUT.defaultValue(), p.getDefaultTimeout());
        assertEquals(Settings.PARALLEL_PHASES.defaultValue(), p.isParallelPhases());
        assertEquals(Settings.PHASE_THREADS.defaultValue(), p.getPhaseThreads());
        assertEquals(Settings.RETRY_INITIAL_DELAY.defaultValue(), p.getRetryInitialDelay());
        assertEquals(Settings.RETRY_MAX_DELAY.defaultValue(), p.getRetryMaxDelay());
        assertEquals(Settings.TIMEOUT_CHECK_INTERVAL.defaultValue(), p.getTimeoutCheckInterval());
        assertEquals(Settings.LOST_BRANCH_WINDOW.defaultValue(), p.getLostBranchWindow());
        assertEquals(Settings.DRAIN_TIMEOUT.defaultValue(), p.getDrainTimeout());
        assertEquals(Settings.LOG_SEGMENT_BYTES.defaultValue(), p.getLogSegmentSize().toBytes());
        assertEquals((long) Settings.GROUP_COMMIT_MAX_BATCH_BYTES.defaultValue(),
                p.getGroupCommitMaxBatchSize().toBytes());
        assertEquals(Settings.GROUP_COMMIT_MAX_WAIT.defaultValue(), p.getGroupCommitMaxWait());
        assertEquals(Settings.ORPHAN_SAFETY_INTERVAL.defaultValue(), p.getRecovery().getOrphanSafetyInterval());
        assertEquals(LockstepPropertiesValidator.RECOVERY_INTERVAL.defaultValue(), p.getRecovery().getInterval());
        assertEquals(LockstepPropertiesValidator.RECOVERY_INITIAL_DELAY.defaultValue(),
                p.getRecovery().getInitialDelay());
        assertEquals(LockstepPropertiesValidator.HEALTH_IN_DOUBT_THRESHOLD.defaultValue(),
                p.getHealth().getInDoubtThreshold());
        assertEquals(LockstepPropertiesValidator.ACQUISITION_TIMEOUT.defaultValue(),
                new LockstepProperties.DataSource().getAcquisitionTimeout());
    }
}
