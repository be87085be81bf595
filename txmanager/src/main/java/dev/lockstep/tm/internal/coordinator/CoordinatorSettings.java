package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.settings.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * The coordinator's part of Lockstep's settings, validated by the builder.
 *
 * @param defaultTimeout     timeout of a transaction when its thread set none
 * @param parallelPhases     run the prepare and commit calls of several branches in parallel
 * @param retryInitialDelay  delay of the first background phase-two retry (jittered down to half of it)
 * @param retryMaxDelay      cap of the exponential backoff of phase-two retries
 * @param lostBranchWindow   how long after the decision a first commit answered XAER_NOTA proves a lost branch;
 *                           later, a recovery may have committed it, so {@code recover()} decides
 */
public record CoordinatorSettings(Duration defaultTimeout, boolean parallelPhases, Duration retryInitialDelay,
                                  Duration retryMaxDelay, Duration lostBranchWindow) {

    public CoordinatorSettings {
        Objects.requireNonNull(defaultTimeout, "defaultTimeout");
        Objects.requireNonNull(retryInitialDelay, "retryInitialDelay");
        Objects.requireNonNull(retryMaxDelay, "retryMaxDelay");
        Objects.requireNonNull(lostBranchWindow, "lostBranchWindow");
    }

    public CoordinatorSettings(Duration defaultTimeout, boolean parallelPhases, Duration retryInitialDelay,
            Duration retryMaxDelay) {
        this(defaultTimeout, parallelPhases, retryInitialDelay, retryMaxDelay,
                Settings.LOST_BRANCH_WINDOW.defaultValue());
    }
}
