package dev.lockstep.recovery;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The schedule of {@code run}: one scanning thread, a scan at start and then {@code interval} after the end of each
 * (fixed delay, so a slow scan never overlaps the next). {@link #stop} lets the scan in progress finish.
 */
final class Daemon {

    private final Runnable scan;
    private final Duration interval;
    private final Consumer<RuntimeException> onFailure;
    private final ScheduledExecutorService executor;

    /**
     * @param scan one scan; must not throw, but if it does {@code onFailure} is told and the schedule goes on (a
     *     periodic task that throws is never run again by the executor, and a daemon that silently stops scanning
     *     is worse than one that reports the same failure every interval)
     */
    Daemon(Runnable scan, Duration interval, Consumer<RuntimeException> onFailure) {
        this.scan = scan;
        this.interval = interval;
        this.onFailure = onFailure;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lockstep-recovery-scan");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        executor.scheduleWithFixedDelay(this::scanOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void scanOnce() {
        try {
            scan.run();
        } catch (RuntimeException e) {
            onFailure.accept(e);
        }
    }

    /**
     * Schedules no further scan and waits up to {@code timeout} for the one in progress.
     *
     * @return true if no scan runs any more (the caller may close the recovery), false on timeout
     */
    boolean stop(Duration timeout) throws InterruptedException {
        executor.shutdown(); // cancels the periodic task; a running scan goes on
        return executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
