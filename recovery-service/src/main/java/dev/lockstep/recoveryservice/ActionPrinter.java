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

    /** True on a thread whose recovery calls only look ({@link #quietly}). */
    private final ThreadLocal<Boolean> quiet = ThreadLocal.withInitial(() -> false);

    @Override
    public synchronized void onAction(RecoveryAction action) {
        if (quiet.get()) {
            return;
        }
        events.action(action);
        printed.add(action);
    }

    /**
     * Runs {@code look} with no action printed from this thread: an HTTP inspection of the daemon's recovery acts on
     * nothing, and reprinting its view of the resources and logs at every request would bury the scans' lines.
     * Recovery tells its listener on the calling thread, so the scanning thread keeps printing meanwhile.
     */
    <T> T quietly(java.util.function.Supplier<T> look) {
        quiet.set(true);
        try {
            return look.get();
        } finally {
            quiet.remove();
        }
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
