package dev.lockstep.tm.internal.recovery;

import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.RecoveryListener;
import dev.lockstep.tm.recovery.ScanReport;
import dev.lockstep.tm.recovery.Verdict;
import dev.lockstep.tm.spi.RecoverableResource;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The algorithm of {@link dev.lockstep.tm.recovery.Recovery}, whose class comment and docs/recovery.md number its
 * steps. One scan is a {@link Pass} through them:
 *
 * <ol>
 * <li>ask the resources ({@link ResourceAsker});</li>
 * <li>read the decisions ({@link DecisionReader}, through the {@link DecisionSource});</li>
 * <li>decide each in-doubt branch ({@link DecisionTable}) and call commit or rollback ({@link PhaseTwoCaller});</li>
 * <li>record heuristics ({@link HeuristicRecorder});</li>
 * <li>end finished decisions and</li>
 * <li>retire empty logs ({@link Closer});</li>
 * </ol>
 * then report ({@link ReportWriter}). An operator's resolve is {@link OperatorResolve}. What lasts across passes
 * lives here: the recovery locks, the logs of dead incarnations taken over, and the resources' backoff.
 */
public final class RecoveryEngine {

    /**
     * What the engine runs with; {@link dev.lockstep.tm.recovery.Recovery.Builder} validates it.
     *
     * @param readOnly true: take no lock, write nothing, only inspect
     */
    public record EngineSettings(DecisionSource source, Set<String> nodeIds, List<RecoverableResource> resources,
            Duration orphanSafetyInterval, Duration retryInitialDelay, Duration retryMaxDelay, Clock clock,
            RecoveryListener listener, boolean readOnly, boolean allNodes) {
    }

    final DecisionSource source;
    /** The nodes of this recovery: the configured ones, or every node of the store, listed again at each pass. */
    volatile Set<String> nodeIds;
    private final boolean allNodes;
    final Duration safety;
    final Clock clock;
    final RecoveryListener listener;
    final ResourceAsker asker;
    private final boolean readOnly;
    private final List<DecisionSource.RecoveryLock> recoveryLocks = new ArrayList<>();
    /** Logs of dead incarnations taken over, kept (locked) across scans until retired or closed. */
    final Map<IncKey, OwnedLog> owned = new LinkedHashMap<>();
    private boolean closed;

    public RecoveryEngine(EngineSettings s) {
        this.source = s.source();
        this.nodeIds = Set.copyOf(s.nodeIds());
        this.safety = s.orphanSafetyInterval();
        this.clock = s.clock();
        this.listener = s.listener();
        this.readOnly = s.readOnly();
        this.allNodes = s.allNodes();
        this.asker = new ResourceAsker(s.resources(), s.retryInitialDelay(), s.retryMaxDelay());
        if (!readOnly) {
            lockNodes(s.nodeIds());
        }
    }

    private void lockNodes(Set<String> nodes) {
        try {
            for (String node : nodes) {
                recoveryLocks.add(source.lockForRecovery(node));
            }
        } catch (IOException | RuntimeException e) {
            releaseRecoveryLocks();
            if (e instanceof IOException io) {
                throw new IllegalStateException(TmMessage.RECOVERY_LOCK_FAILED
                        + " cannot lock the logs for recovery in " + source.location()
                        + ": " + io.getMessage() + "; the directory must be writable by this process", io);
            }
            throw (RuntimeException) e;
        }
    }

    public ScanReport scan() {
        checkUsable(true);
        return run(new Pass(this, true));
    }

    public ScanReport inspect() {
        checkUsable(false);
        return run(new Pass(this, false));
    }

    private ScanReport run(Pass pass) {
        if (pass.act) {
            tell(l -> l.scanStarted(pass.started));
        }
        try {
            refreshNodes();
            asker.ask(pass, false);
            new DecisionReader(pass).readAll();
            new PhaseTwoCaller(pass).decideAll();
            if (pass.act) {
                Closer closer = new Closer(pass);
                closer.endFinished();
                closer.retireEmpty();
            }
            ScanReport report = new ReportWriter(pass).report();
            if (pass.act) {
                tell(l -> l.scanFinished(report));
            }
            return report;
        } finally {
            pass.closeConnections();
        }
    }

    /** Calls the listener; one that throws is logged and does not stop recovery. */
    private void tell(java.util.function.Consumer<RecoveryListener> call) {
        try {
            call.accept(listener);
        } catch (RuntimeException e) {
            Pass.LOG.log(Level.WARNING, TmMessage.RECOVERY_LISTENER_FAILED + " a recovery listener failed", e);
        }
    }

    public List<RecoveryAction> resolve(String gtridHex, Verdict verdict) {
        checkUsable(true);
        refreshNodes();
        OperatorResolve.Target target = OperatorResolve.parse(gtridHex, nodeIds);
        return new OperatorResolve(new Pass(this, true)).resolve(target.gtrid(), target.parsed(), verdict);
    }

    /** With every node of the store: the nodes that ever started there now (a store of leases needs no lock). */
    private void refreshNodes() {
        if (allNodes) {
            try {
                nodeIds = Set.copyOf(source.nodes());
            } catch (IOException e) {
                throw new IllegalStateException(TmMessage.LOG_DIRECTORY_UNREADABLE + " cannot list the nodes of "
                        + source.location() + ": " + e.getMessage(), e);
            }
        }
    }

    private void checkUsable(boolean writes) {
        if (closed) {
            throw new IllegalStateException("this recovery is closed");
        }
        if (writes && readOnly) {
            throw new IllegalStateException("this recovery was built read-only: it can only inspect");
        }
    }

    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Map.Entry<IncKey, OwnedLog> e : owned.entrySet()) {
            try {
                e.getValue().log.close();
            } catch (IOException | RuntimeException ex) {
                Pass.LOG.log(Level.WARNING, TmMessage.TAKEN_OVER_LOG_CLOSE_FAILED + " closing the taken-over log of "
                        + e.getKey() + " failed", ex);
            }
        }
        owned.clear();
        releaseRecoveryLocks();
    }

    private void releaseRecoveryLocks() {
        for (DecisionSource.RecoveryLock lock : recoveryLocks) {
            try {
                lock.close();
            } catch (IOException e) {
                Pass.LOG.log(Level.WARNING, TmMessage.RECOVERY_LOCK_RELEASE_FAILED + " releasing " + lock.name()
                        + " failed", e);
            }
        }
        recoveryLocks.clear();
    }
}
