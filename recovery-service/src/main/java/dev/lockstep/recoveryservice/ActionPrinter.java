package dev.lockstep.recoveryservice;

import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.RecoveryListener;
import java.util.ArrayList;
import java.util.List;

/**
 * The recovery listener of the commands: prints every action as it happens. It also remembers what it printed since
 * the last {@link #printMissed}, so an action that reached a report without passing the listener is printed once
 * afterwards instead of being lost; the listener stays the one source of the lines.
 */
final class ActionPrinter implements RecoveryListener {

    private final EventLog events;
    private final List<RecoveryAction> printed = new ArrayList<>();

    ActionPrinter(EventLog events) {
        this.events = events;
    }

    @Override
    public synchronized void onAction(RecoveryAction action) {
        events.action(action);
        printed.add(action);
    }

    /** Prints the actions of {@code done} not printed since the last call, then forgets what was printed. */
    synchronized void printMissed(List<RecoveryAction> done) {
        for (RecoveryAction a : done) {
            if (!printed.remove(a)) {
                events.action(a);
            }
        }
        printed.clear();
    }
}
