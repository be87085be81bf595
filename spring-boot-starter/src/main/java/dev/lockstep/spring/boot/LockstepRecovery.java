package dev.lockstep.spring.boot;

import dev.lockstep.tm.recovery.InDoubtTransaction;
import dev.lockstep.tm.recovery.Recovery;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.RecoveryLockedException;
import dev.lockstep.tm.recovery.ResourceStatus;
import dev.lockstep.tm.recovery.ScanReport;
import dev.lockstep.tm.spi.RecoverableResource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * In-process recovery on a schedule: every {@code lockstep.recovery.interval} one {@link Recovery#scan()} of this
 * node's decision logs over the configured resources, as docs/recovery.md describes. What it finishes is what earlier
 * incarnations of this node left in doubt (a crash, a kill, a close with branches unreachable): their logs are free,
 * so they are taken over; the running incarnation's own log is locked by this process and only read, and its
 * transactions are left to it unless they are past their deadline plus the orphan safety interval.
 *
 * <p>Each scan builds a {@link Recovery} and closes it after: the node's recovery lock is held only during a scan, so a
 * recovery service configured for the same node can still run (beside it, a scan that finds the lock taken is skipped
 * and logged). Started after every bean is built and stopped before any is destroyed (a {@link SmartLifecycle}): a
 * scan in progress finishes, up to 30 s, before the pools and Lockstep close.
 */
public final class LockstepRecovery implements SmartLifecycle {

    private static final Log LOG = LogFactory.getLog(LockstepRecovery.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final Path logDirectory;
    private final String nodeId;
    private final List<RecoverableResource> resources;
    private final Duration interval;
    private final Duration initialDelay;
    private final Duration orphanSafetyInterval;
    private final AtomicLong scans = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile ScanReport lastReport;
    private ScheduledExecutorService executor;

    LockstepRecovery(Path logDirectory, String nodeId, List<RecoverableResource> resources, Duration interval,
            Duration initialDelay, Duration orphanSafetyInterval) {
        this.logDirectory = Objects.requireNonNull(logDirectory, "logDirectory");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.resources = List.copyOf(resources);
        this.interval = interval;
        this.initialDelay = initialDelay;
        this.orphanSafetyInterval = orphanSafetyInterval;
    }

    /**
     * One scan now, on the calling thread (the scheduled ones wait for it). Empty if another recovery holds the node
     * (a recovery service, or another application with the same node id and log directory).
     */
    public synchronized Optional<ScanReport> scan() {
        Recovery recovery;
        try {
            recovery = Recovery.builder().logDirectory(logDirectory).nodeId(nodeId).resources(resources)
                    .orphanSafetyInterval(orphanSafetyInterval).build();
        } catch (RecoveryLockedException e) {
            skipped.incrementAndGet();
            LOG.info("LKS-811 recovery scan of node " + nodeId + " skipped: " + e.getMessage());
            return Optional.empty();
        }
        ScanReport report;
        try (recovery) {
            report = recovery.scan();
        }
        lastReport = report;
        scans.incrementAndGet();
        log(report);
        return Optional.of(report);
    }

    /** The report of the last scan that ran, if any. */
    public Optional<ScanReport> lastReport() {
        return Optional.ofNullable(lastReport);
    }

    /** How many scans ran since the start. */
    public long scanCount() {
        return scans.get();
    }

    /** How many scheduled scans were skipped because another recovery held the node. */
    public long skippedCount() {
        return skipped.get();
    }

    /** The resources scanned, by name (the configured DataSources and JMS factories). */
    public List<String> resourceNames() {
        return resources.stream().map(RecoverableResource::name).toList();
    }

    @Override
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lockstep-recovery-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::scheduledScan, initialDelay.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void scheduledScan() {
        try {
            scan();
        } catch (RuntimeException | Error e) {
            // Never let one failure end the schedule (a ScheduledExecutorService would drop the task for good).
            LOG.error("LKS-812 recovery scan of node " + nodeId + " failed; the next one runs in " + interval, e);
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService ex;
        synchronized (this) {
            ex = executor;
            executor = null;
        }
        if (ex == null) {
            return;
        }
        ex.shutdown();
        try {
            if (!ex.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("LKS-813 a recovery scan of node " + nodeId + " still runs after " + STOP_WAIT
                        + "; closing without it");
                ex.shutdownNow();
            }
        } catch (InterruptedException e) {
            ex.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            closeResources();
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }

    private void closeResources() {
        for (RecoverableResource r : resources) {
            if (r instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.warn("LKS-814 closing recovery resource " + r.name() + " failed", e);
                }
            }
        }
    }

    private void log(ScanReport report) {
        for (RecoveryAction a : report.actions()) {
            LOG.info("LKS-815 recovery of node " + nodeId + ": " + a);
        }
        if (report.clean()) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("LKS-816 recovery scan of node " + nodeId + " clean in " + report.took().toMillis()
                        + " ms over " + report.resources().size() + " resource(s)");
            }
            return;
        }
        StringBuilder why = new StringBuilder();
        for (ResourceStatus r : report.resources()) {
            if (!r.reachable()) {
                why.append("\n  unreachable: ").append(r);
            }
        }
        for (InDoubtTransaction t : report.inDoubt()) {
            why.append("\n  in doubt: ").append(t);
        }
        for (String problem : report.logProblems()) {
            why.append("\n  log: ").append(problem);
        }
        LOG.warn("LKS-817 recovery scan of node " + nodeId + " left something for the next scan or an operator:"
                + why);
    }

    @Override
    public String toString() {
        return "LockstepRecovery[node=" + nodeId + ", resources=" + resourceNames() + ", interval=" + interval + "]";
    }
}
