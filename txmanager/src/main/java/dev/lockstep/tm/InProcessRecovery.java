package dev.lockstep.tm;

import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.recovery.InDoubtTransaction;
import dev.lockstep.tm.recovery.Recovery;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.RecoveryLockedException;
import dev.lockstep.tm.recovery.RecoveryScanner;
import dev.lockstep.tm.recovery.ScanReport;
import dev.lockstep.tm.spi.RecoverableResource;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * A node that finishes its own past (docs/recovery.md, "In-process recovery"): every {@code recoveryInterval} it
 * builds a {@link Recovery} over the resources registered with this Lockstep, scans, and closes it, exactly as the
 * recovery service would beside it. With the file log that recovery covers this node's earlier incarnations (its own
 * live incarnation is alive, so only its owner decides there); with the database store, every node of the store,
 * so a live node also finishes the transactions of nodes whose lease expired.
 *
 * <p>A turn with no registered resource passes (nothing could be finished); a turn that finds another recovery
 * holding the node is skipped (a recovery service runs beside it).
 */
final class InProcessRecovery {

    private static final System.Logger LOG = System.getLogger("dev.lockstep.tm.InProcessRecovery");
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final RecoveryScanner scanner;
    private final String nodeId;

    InProcessRecovery(LockstepSettings settings, Supplier<Collection<RecoverableResource>> resources) {
        this.nodeId = settings.nodeId();
        Supplier<Recovery> opener = () -> {
            List<RecoverableResource> now = List.copyOf(resources.get());
            if (now.isEmpty()) {
                return null;
            }
            Recovery.Builder b = Recovery.builder().resources(now).clock(settings.clock());
            if (settings.decisionStore() != null) {
                b.decisionStore(settings.decisionStore()).allNodes();
            } else {
                b.logDirectory(settings.logDirectory()).nodeId(nodeId);
            }
            return b.build();
        };
        this.scanner = RecoveryScanner.reopening(opener, settings.recoveryInterval(), settings.recoveryInterval(),
                "lockstep-recovery-" + nodeId, new RecoveryScanner.Listener() {
                    @Override
                    public void scanned(ScanReport report) {
                        log(report);
                    }

                    @Override
                    public void skipped(RecoveryLockedException e) {
                        LOG.log(Level.DEBUG, "in-process recovery of node {0} skipped: {1}", nodeId, e.getMessage());
                    }

                    @Override
                    public void failed(Throwable t) {
                        LOG.log(Level.ERROR, TmMessage.IN_PROCESS_RECOVERY_FAILED + " in-process recovery of node "
                                + nodeId + " failed; the next scan runs in " + settings.recoveryInterval(), t);
                    }
                });
    }

    void start() {
        scanner.start();
    }

    /** Runs a scan now on the calling thread (the scheduled ones wait for it); for tests and operators. */
    java.util.Optional<ScanReport> scanNow() {
        return scanner.scanNow();
    }

    long scanCount() {
        return scanner.scanCount();
    }

    /** Stops the schedule; a scan in progress may finish for a while, then is interrupted. */
    void stop() {
        try {
            if (!scanner.stop(STOP_WAIT)) {
                scanner.interruptScan();
            }
        } catch (InterruptedException e) {
            scanner.interruptScan();
            Thread.currentThread().interrupt();
        }
    }

    private void log(ScanReport report) {
        List<RecoveryAction> acted = report.actions().stream()
                .filter(a -> a.kind() != RecoveryAction.Kind.RECOVER_SCAN).toList();
        if (!acted.isEmpty()) {
            LOG.log(Level.INFO, TmMessage.IN_PROCESS_RECOVERY_ACTED + " in-process recovery of node " + nodeId + ": "
                    + acted.size() + " action(s): " + acted);
        }
        // Transactions this node (or another live one) still runs are its owner's to decide: not worth a warning.
        List<InDoubtTransaction> stuck = report.inDoubt().stream()
                .filter(t -> t.owner() != InDoubtTransaction.Owner.ALIVE).toList();
        boolean unreachable = report.resources().stream().anyMatch(r -> !r.reachable());
        if (!stuck.isEmpty() || !report.logProblems().isEmpty() || unreachable) {
            LOG.log(Level.WARNING, TmMessage.IN_PROCESS_RECOVERY_LEFT_IN_DOUBT + " in-process recovery of node "
                    + nodeId + " left " + stuck.size() + " transaction(s) in doubt" + (unreachable
                    ? ", with unreachable resources " + report.resources().stream().filter(r -> !r.reachable())
                            .map(r -> r.name() + " (" + r.error() + ")").toList() : "")
                    + (report.logProblems().isEmpty() ? "" : "; problems: " + report.logProblems())
                    + (stuck.isEmpty() ? "" : "; " + stuck));
        }
    }
}
