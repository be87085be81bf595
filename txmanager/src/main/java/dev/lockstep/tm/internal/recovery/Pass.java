package dev.lockstep.tm.internal.recovery;

import dev.lockstep.tm.internal.xa.XaCodes;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.recovery.LogFinding;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.RecoveryAction.Kind;
import dev.lockstep.tm.recovery.RecoveryListener;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAException;

/**
 * One scan, inspection or resolve: the state of a single look at the resources and the logs, shared by the classes
 * that do its steps, and the record of what it did ({@link #action}).
 */
final class Pass {

    static final System.Logger LOG = System.getLogger("dev.lockstep.tm.recovery");

    final RecoveryEngine engine;
    /** False for an inspection: nothing is written and no phase-two call is made. */
    final boolean act;
    final Instant started;
    final long nowMillis;
    final List<RecoveryAction> actions = new ArrayList<>();
    final List<String> logProblems = new ArrayList<>();
    /** Every log problem with its fields, and what is worth telling that is not a problem (torn tails, no log). */
    final List<LogFinding> logFindings = new ArrayList<>();
    final Map<String, ResourceScan> scans = new LinkedHashMap<>();
    final Map<Gtrid, ListedTx> listed = new LinkedHashMap<>();
    final Map<IncKey, IncView> incs = new LinkedHashMap<>();

    Pass(RecoveryEngine engine, boolean act) {
        this.engine = engine;
        this.act = act;
        this.started = engine.clock.instant();
        this.nowMillis = started.toEpochMilli();
    }

    /** Why a branch of {@code commit} is not known to be finished, or null if all are. */
    String unfinishedBranch(Gtrid gtrid, CommitRecord commit) {
        byte[] g = gtrid.bytes();
        for (CommitRecord.RecordedBranch br : commit.branches()) {
            ResourceScan s = scans.get(br.resourceName());
            if (s == null) {
                return "resource '" + br.resourceName() + "' of a branch is not configured";
            }
            if (!s.reachable) {
                return "resource '" + br.resourceName() + "' is unreachable";
            }
            if (s.lists(g, br.bqual())) {
                ListedTx tx = listed.get(gtrid);
                ListedBranch lb = tx == null ? null : tx.find(s, br.bqual());
                if (lb == null || !lb.finished) {
                    return "a branch in " + br.resourceName() + " is still in doubt";
                }
            }
        }
        return null;
    }

    /**
     * Notes a finding about a log; a problem (one that stops recovery of some transactions) is also one of the
     * report's log problems and an ERROR action.
     */
    void finding(LogFinding f) {
        logFindings.add(f);
        if (f.problem()) {
            logProblems.add(f.detail());
            action(Kind.ERROR, false, f.nodeId(), null, null, null, f.detail());
        }
    }

    void action(Kind kind, boolean ok, ListedTx tx, ListedBranch b, String detail) {
        action(kind, ok, tx.parsed.nodeId(), tx.gtrid.toString(), b.bqualHex(), b.scan.name(), detail);
    }

    void action(Kind kind, boolean ok, String node, String gtrid, String bqual, String resource, String detail) {
        RecoveryAction a = new RecoveryAction(engine.clock.instant(), kind, ok, node, gtrid, bqual, resource, detail);
        actions.add(a);
        RecoveryListener listener = engine.listener;
        if (kind != Kind.RECOVER_SCAN || !ok) {
            // With a listener (the recovery service) the listener reports actions; the log gets them at DEBUG.
            Level level = listener != RecoveryListener.NONE ? Level.DEBUG : ok ? Level.INFO : Level.WARNING;
            LOG.log(level, TmMessage.RECOVERY_ACTION + " {0} {1} node={2} gtrid={3} bqual={4} "
                    + "resource={5}: {6}", kind, ok ? "ok" : "not done", node, gtrid, bqual, resource, detail);
        }
        try {
            listener.onAction(a);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, TmMessage.RECOVERY_LISTENER_FAILED + " a recovery listener failed", e);
        }
    }

    void closeConnections() {
        for (ResourceScan s : scans.values()) {
            closeQuietly(s);
        }
    }

    static void closeQuietly(ResourceScan s) {
        if (s.connection != null) {
            try {
                s.connection.close();
            } catch (Exception e) {
                LOG.log(Level.DEBUG, "closing the recovery connection to " + s.name() + " failed", e);
            }
            s.connection = null;
        }
    }

    static String describe(Throwable t) {
        if (t instanceof XAException xa) {
            return XaCodes.name(xa.errorCode) + (xa.getMessage() == null ? "" : " " + xa.getMessage());
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
