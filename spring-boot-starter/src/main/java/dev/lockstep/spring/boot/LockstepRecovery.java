package dev.lockstep.spring.boot;

import dev.lockstep.tm.recovery.InDoubtTransaction;
import dev.lockstep.tm.recovery.Recovery;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.RecoveryListener;
import dev.lockstep.tm.recovery.RecoveryLockedException;
import dev.lockstep.tm.recovery.RecoveryScanner;
import dev.lockstep.tm.recovery.ResourceStatus;
import dev.lockstep.tm.recovery.ScanReport;
import dev.lockstep.tm.spi.RecoverableResource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.Optional;
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
 * scan in progress finishes, up to 30 s, before the pools and Lockstep close. The schedule is txmanager's
 * {@link RecoveryScanner}, the same the recovery service's daemon runs.
 */
public final class LockstepRecovery implements SmartLifecycle {

    private static final Log LOG = LogFactory.getLog(LockstepRecovery.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final String nodeId;
    private final List<RecoverableResource> resources;
    private final Duration interval;
    private final RecoveryScanner scanner;

    /**
     * @param target a recovery builder set to where the decisions are: this node's log directory, or the database
     *     store with all its nodes
     */
    LockstepRecovery(Supplier<Recovery.Builder> target, String nodeId, List<RecoverableResource> resources,
            Duration interval, Duration initialDelay, Duration orphanSafetyInterval) {
        this(target, nodeId, resources, interval, initialDelay, orphanSafetyInterval, List.of());
    }

    /** As above, with {@code listeners} told of every scan and action (the meters' in-doubt gauges, for one). */
    LockstepRecovery(Supplier<Recovery.Builder> target, String nodeId, List<RecoverableResource> resources,
            Duration interval, Duration initialDelay, Duration orphanSafetyInterval, List<RecoveryListener> listeners) {
        Objects.requireNonNull(target, "target");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.resources = List.copyOf(resources);
        this.interval = interval;
        RecoveryListener listener = all(listeners);
        this.scanner = RecoveryScanner.reopening(() -> target.get().resources(this.resources)
                .orphanSafetyInterval(orphanSafetyInterval).listener(listener).build(), initialDelay, interval,
                "lockstep-recovery-" + nodeId, new RecoveryScanner.Listener() {
                    @Override
                    public void scanned(ScanReport report) {
                        log(report);
                    }

                    @Override
                    public void skipped(RecoveryLockedException e) {
                        LOG.info(StarterMessage.SCAN_SKIPPED + " recovery scan of node " + nodeId + " skipped: "
                                + e.getMessage());
                    }

                    @Override
                    public void failed(Throwable e) {
                        LOG.error(StarterMessage.SCAN_FAILED + " recovery scan of node " + nodeId
                                + " failed; the next one runs in " + interval, e);
                    }
                });
    }

    /** {@code listeners} as one; each one's failure is logged and stays its own. */
    private static RecoveryListener all(List<RecoveryListener> listeners) {
        List<RecoveryListener> copy = List.copyOf(listeners);
        if (copy.isEmpty()) {
            return RecoveryListener.NONE;
        }
        return new RecoveryListener() {
            @Override
            public void onAction(RecoveryAction action) {
                copy.forEach(l -> tell(l, () -> l.onAction(action)));
            }

            @Override
            public void scanStarted(Instant at) {
                copy.forEach(l -> tell(l, () -> l.scanStarted(at)));
            }

            @Override
            public void scanFinished(ScanReport report) {
                copy.forEach(l -> tell(l, () -> l.scanFinished(report)));
            }
        };
    }

    private static void tell(RecoveryListener l, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn(StarterMessage.RECOVERY_LISTENER_FAILED + " recovery listener " + l + " failed", e);
        }
    }

    /**
     * One scan now, on the calling thread (the scheduled ones wait for it). Empty if another recovery holds the node
     * (a recovery service, or another application with the same node id and log directory).
     */
    public Optional<ScanReport> scan() {
        return scanner.scanNow();
    }

    /** The report of the last scan that ran, if any. */
    public Optional<ScanReport> lastReport() {
        return scanner.lastReport();
    }

    /** How many scans ran since the start. */
    public long scanCount() {
        return scanner.scanCount();
    }

    /** How many scheduled scans were skipped because another recovery held the node. */
    public long skippedCount() {
        return scanner.skippedCount();
    }

    /** The resources scanned, by name (the configured DataSources and JMS factories). */
    public List<String> resourceNames() {
        return resources.stream().map(RecoverableResource::name).toList();
    }

    @Override
    public void start() {
        scanner.start();
    }

    @Override
    public void stop() {
        if (!scanner.isRunning()) {
            return;
        }
        try {
            if (!scanner.stop(STOP_WAIT)) {
                LOG.warn(StarterMessage.SCAN_OUTLIVES_CLOSE + " a recovery scan of node " + nodeId
                        + " still runs after " + STOP_WAIT + "; closing without it");
                scanner.interruptScan();
            }
        } catch (InterruptedException e) {
            scanner.interruptScan();
            Thread.currentThread().interrupt();
        } finally {
            closeResources();
        }
    }

    @Override
    public boolean isRunning() {
        return scanner.isRunning();
    }

    private void closeResources() {
        for (RecoverableResource r : resources) {
            if (r instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.warn(StarterMessage.RECOVERY_RESOURCE_CLOSE_FAILED + " closing recovery resource " + r.name()
                            + " failed", e);
                }
            }
        }
    }

    private void log(ScanReport report) {
        for (RecoveryAction a : report.actions()) {
            LOG.info(StarterMessage.RECOVERY_ACTION + " recovery of node " + nodeId + ": " + a);
        }
        if (report.clean()) {
            if (LOG.isDebugEnabled()) {
                LOG.debug(StarterMessage.SCAN_CLEAN + " recovery scan of node " + nodeId + " clean in "
                        + report.took().toMillis() + " ms over " + report.resources().size() + " resource(s)");
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
        LOG.warn(StarterMessage.SCAN_LEFT_WORK + " recovery scan of node " + nodeId
                + " left something for the next scan or an operator:" + why);
    }

    @Override
    public String toString() {
        return "LockstepRecovery[node=" + nodeId + ", resources=" + resourceNames() + ", interval=" + interval + "]";
    }
}
