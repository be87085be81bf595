package dev.lockstep.tm.internal.timeout;

import dev.lockstep.tm.internal.DaemonThreads;
import dev.lockstep.tm.messages.TmMessage;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread for the periodic chores: the timeout reaper (rolls back transactions past their deadline) and
 * the lazy write of unforced log records. A failing chore is logged and runs again at its next tick.
 */
public final class Housekeeper implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.lockstep.tm.Housekeeper");

    private final ScheduledThreadPoolExecutor scheduler;

    public Housekeeper(String name) {
        scheduler = new ScheduledThreadPoolExecutor(1, DaemonThreads.named(name));
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        scheduler.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    /** Runs {@code chore} every {@code period}, first after one period. */
    public void every(Duration period, String what, Runnable chore) {
        long nanos = Math.max(1_000_000, period.toNanos());
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                chore.run();
            } catch (Throwable t) {
                LOG.log(Level.ERROR, TmMessage.HOUSEKEEPING_FAILED + " housekeeping chore '" + what
                        + "' failed; it runs again in " + period, t);
            }
        }, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
