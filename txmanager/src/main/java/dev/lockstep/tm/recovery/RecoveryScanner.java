package dev.lockstep.tm.recovery;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * {@link Recovery#scan()} on a schedule: one scanning thread, the first scan after an initial delay and each next one
 * {@code interval} after the end of the previous (fixed delay, so a slow scan never overlaps the next). The recovery
 * service's daemon and the Spring Boot starter both run their scans with it.
 *
 * <p>Two ways to hold the recovery: {@link #holding} scans one {@link Recovery} built (and locked) once, for a
 * daemon that owns its nodes while it runs; {@link #reopening} builds one per turn and closes it after, so the nodes'
 * recovery locks are held only during a scan, and a turn that finds a lock held by another recovery is skipped
 * ({@link Listener#skipped}) rather than failed. A scan that throws (it should not: problems are in its report) is
 * told to {@link Listener#failed} and the schedule goes on: a periodic task that throws is never run again by its
 * executor, and a scanner that silently stops is worse than one that reports the same failure every interval.
 */
public final class RecoveryScanner {

    /** Told of each turn, on the scanning thread (or the caller's, for {@link #scanNow()}). */
    public interface Listener {

        /** A scan ran. */
        void scanned(ScanReport report);

        /** A turn was skipped: another recovery holds a node ({@link #reopening} only). */
        default void skipped(RecoveryLockedException e) {
        }

        /** A scheduled scan threw; the next one runs after the interval. */
        default void failed(Throwable t) {
        }
    }

    private final Supplier<Recovery> opener;
    private final boolean closeAfterEachScan;
    private final Duration initialDelay;
    private final Duration interval;
    private final String threadName;
    private final Listener listener;
    private final Object scanning = new Object();
    private final AtomicLong scans = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile ScanReport lastReport;
    private ScheduledExecutorService executor;
    /** The executor of the last {@link #stop}, for {@link #interruptScan()}. */
    private ScheduledExecutorService stopped;

    private RecoveryScanner(Supplier<Recovery> opener, boolean closeAfterEachScan, Duration initialDelay,
            Duration interval, String threadName, Listener listener) {
        this.opener = Objects.requireNonNull(opener, "opener");
        this.closeAfterEachScan = closeAfterEachScan;
        this.initialDelay = requireNotNegative("initialDelay", initialDelay);
        this.interval = requireNotNegative("interval", interval);
        if (interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
        this.threadName = Objects.requireNonNull(threadName, "threadName");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Scans {@code recovery} at once and then every {@code interval}, on a thread named {@code lockstep-recovery-scan}.
     * The caller closes the recovery, after {@link #stop} returned true.
     */
    public static RecoveryScanner holding(Recovery recovery, Duration interval, Listener listener) {
        Objects.requireNonNull(recovery, "recovery");
        return new RecoveryScanner(() -> recovery, false, Duration.ZERO, interval, "lockstep-recovery-scan",
                listener);
    }

    /**
     * Builds a recovery with {@code opener} for each scan (typically {@code builder::build}) and closes it after; a
     * turn whose build throws {@link RecoveryLockedException} is skipped, and one whose opener returns null (nothing
     * to scan yet) passes silently.
     */
    public static RecoveryScanner reopening(Supplier<Recovery> opener, Duration initialDelay, Duration interval,
            String threadName, Listener listener) {
        return new RecoveryScanner(opener, true, initialDelay, interval, threadName, listener);
    }

    /** Starts the schedule; does nothing if it runs. */
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::scheduledScan, initialDelay.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void scheduledScan() {
        try {
            scanNow();
        } catch (RuntimeException | Error e) {
            try {
                listener.failed(e);
            } catch (RuntimeException ignored) {
                // the schedule must go on even if the report of its failure fails
            }
        }
    }

    /**
     * One scan now, on the calling thread (a scheduled one waits for it). Empty if the turn was skipped because
     * another recovery holds a node. Throws what the scan throws.
     */
    public Optional<ScanReport> scanNow() {
        synchronized (scanning) {
            Recovery recovery;
            try {
                recovery = opener.get();
            } catch (RecoveryLockedException e) {
                skipped.incrementAndGet();
                listener.skipped(e);
                return Optional.empty();
            }
            if (recovery == null) {
                // The opener has nothing to scan this turn (an in-process recovery with no resources yet).
                return Optional.empty();
            }
            ScanReport report;
            try {
                report = recovery.scan();
            } finally {
                if (closeAfterEachScan) {
                    recovery.close();
                }
            }
            lastReport = report;
            scans.incrementAndGet();
            listener.scanned(report);
            return Optional.of(report);
        }
    }

    /**
     * Schedules no further scan and waits up to {@code timeout} for the one in progress, which is never interrupted.
     *
     * @return true if no scan runs any more, false on timeout
     */
    public boolean stop(Duration timeout) throws InterruptedException {
        ScheduledExecutorService ex;
        synchronized (this) {
            ex = executor;
            executor = null;
            if (ex != null) {
                stopped = ex;
            }
        }
        if (ex == null) {
            return true;
        }
        ex.shutdown(); // cancels the periodic task; a running scan goes on
        return ex.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Interrupts a scan that still runs after {@link #stop} gave up waiting (its thread is a daemon anyway). */
    public void interruptScan() {
        ScheduledExecutorService ex;
        synchronized (this) {
            ex = stopped;
        }
        if (ex != null) {
            ex.shutdownNow();
        }
    }

    /** True between {@link #start()} and {@link #stop}. */
    public synchronized boolean isRunning() {
        return executor != null;
    }

    /** How many scans ran (scheduled or {@link #scanNow()}) and returned a report. */
    public long scanCount() {
        return scans.get();
    }

    /** How many turns were skipped because another recovery held a node. */
    public long skippedCount() {
        return skipped.get();
    }

    /** The report of the last scan that ran, if any. */
    public Optional<ScanReport> lastReport() {
        return Optional.ofNullable(lastReport);
    }

    private static Duration requireNotNegative(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + d);
        }
        return d;
    }
}
