package dev.lockstep.tm.recovery;

/** Told of every action as it happens, on the scanning thread; the recovery service prints them as log lines. */
@FunctionalInterface
public interface RecoveryListener {

    RecoveryListener NONE = action -> {
    };

    void onAction(RecoveryAction action);
}
