package dev.lockstep.tm.recovery;

import java.time.Instant;

/**
 * Told what recovery does as it happens, on the scanning thread: every {@link RecoveryAction} (commits, rollbacks,
 * takeovers, heuristics recorded, and {@link RecoveryAction.Kind#RECOVER_SCAN} not ok for a resource that could not be
 * reached), and the start and end of each {@link Recovery#scan()} (not of an {@link Recovery#inspect()}, which changes
 * nothing). The recovery service prints the actions as log lines; a metrics binder reads the in-doubt ages from the
 * finished scan. docs/operations.md ("Events and metrics") lists them.
 *
 * <p>Recovery is not on any transaction's path, so listeners are called synchronously; one that throws is logged
 * (TmMessage.RECOVERY_LISTENER_FAILED) and recovery goes on. One that blocks delays the scan, and only the scan.
 */
@FunctionalInterface
public interface RecoveryListener {

    RecoveryListener NONE = action -> {
    };

    void onAction(RecoveryAction action);

    /** A scan begins, at {@code at} on recovery's clock. */
    default void scanStarted(Instant at) {
    }

    /** A scan ended; {@code report} says what it did and what is still in doubt. */
    default void scanFinished(ScanReport report) {
    }
}
