package dev.lockstep.recoveryservice;

import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.RecoveryListener;
import dev.lockstep.tm.recovery.ScanReport;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one listener of the daemon's recovery, telling each of its own in turn: the printer of the log lines, the
 * meters of {@code /metrics}, the feed of {@code /api/events}. One that throws does not keep the others from being
 * told; the first failure is thrown afterwards, for recovery to log (LKS-2xx) as it logs a failing listener.
 * {@link #quietly} hides what a look of the HTTP side (an {@code inspect()}, which acts on nothing) would report.
 */
final class DaemonListeners implements RecoveryListener {

    private final List<RecoveryListener> listeners;

    /** True on a thread whose recovery calls only look ({@link #quietly}). */
    private final ThreadLocal<Boolean> quiet = ThreadLocal.withInitial(() -> false);

    DaemonListeners(List<RecoveryListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /**
     * Runs {@code look} with nothing told from this thread: an HTTP inspection of the daemon's recovery acts on
     * nothing, and reprinting, counting or streaming its view of the resources at every request would bury the
     * scans'. Recovery tells its listener on the calling thread, so the scanning thread goes on being heard.
     */
    <T> T quietly(Supplier<T> look) {
        quiet.set(true);
        try {
            return look.get();
        } finally {
            quiet.remove();
        }
    }

    @Override
    public void onAction(RecoveryAction action) {
        tell(l -> l.onAction(action));
    }

    @Override
    public void scanStarted(Instant at) {
        tell(l -> l.scanStarted(at));
    }

    @Override
    public void scanFinished(ScanReport report) {
        tell(l -> l.scanFinished(report));
    }

    private void tell(Consumer<RecoveryListener> call) {
        if (quiet.get()) {
            return;
        }
        RuntimeException first = null;
        for (RecoveryListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
