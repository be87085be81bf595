package dev.lockstep.tm.internal.coordinator;

import java.time.Duration;
import java.util.Objects;

/**
 * The coordinator's part of Lockstep's settings, validated by the builder.
 *
 * @param defaultTimeout     timeout of a transaction when its thread set none
 * @param parallelPhases     run the prepare and commit calls of several branches in parallel
 * @param retryInitialDelay  delay of the first background phase-two retry (jittered down to half of it)
 * @param retryMaxDelay      cap of the exponential backoff of phase-two retries
 */
public record CoordinatorSettings(Duration defaultTimeout, boolean parallelPhases, Duration retryInitialDelay,
                                  Duration retryMaxDelay) {
    public CoordinatorSettings {
        Objects.requireNonNull(defaultTimeout, "defaultTimeout");
        Objects.requireNonNull(retryInitialDelay, "retryInitialDelay");
        Objects.requireNonNull(retryMaxDelay, "retryMaxDelay");
    }
}
