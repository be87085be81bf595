package dev.lockstep.tm.internal.recovery;

import dev.lockstep.tm.log.CorruptLogException;
import dev.lockstep.tm.log.ReplayResult;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.recovery.LogFinding;
import dev.lockstep.tm.recovery.RecoveryAction.Kind;
import java.io.IOException;
import java.util.Map;
import java.util.TreeSet;

/**
 * Step 2: reads what the decision store says about every incarnation of every node, after the resources were asked
 * (so a COMMIT a live owner wrote before its branch showed up is seen). A dead owner's log is taken over when the
 * pass acts; a live one's is only read. A log that cannot be used is a problem for an operator, never a guess.
 */
final class DecisionReader {

    private final Pass pass;
    private final DecisionSource source;
    private final Map<IncKey, OwnedLog> owned;

    DecisionReader(Pass pass) {
        this.pass = pass;
        this.source = pass.engine.source;
        this.owned = pass.engine.owned;
    }

    void readAll() {
        for (String node : pass.engine.nodeIds) {
            readNode(node);
        }
    }

    private void readNode(String node) {
        DecisionSource.NodeDecisions decisions;
        try {
            decisions = source.node(node);
        } catch (IOException e) {
            pass.finding(new LogFinding(LogFinding.FindingKind.DIRECTORY_UNREADABLE, node, null,
                    TmMessage.LOG_DIRECTORY_UNREADABLE.id(), null, null, TmMessage.LOG_DIRECTORY_UNREADABLE
                    + " cannot read the log directory " + source.location(node) + ": " + Pass.describe(e)));
            return;
        }
        TreeSet<Long> incarnations = new TreeSet<>(decisions.incarnations());
        for (IncKey k : owned.keySet()) {
            if (k.nodeId().equals(node)) {
                incarnations.add(k.incarnation());
            }
        }
        boolean anyListed = false;
        for (ListedTx tx : pass.listed.values()) {
            if (tx.parsed.nodeId().equals(node)) {
                incarnations.add(tx.parsed.incarnation());
                anyListed = true;
            }
        }
        if (!decisions.hasLog()) {
            if (anyListed) {
                pass.finding(new LogFinding(LogFinding.FindingKind.MISSING, node, null, TmMessage.LOG_MISSING.id(), null, null,
                        TmMessage.LOG_MISSING + " " + decisions.missingLogProblem()));
            } else if (incarnations.isEmpty()) {
                pass.finding(new LogFinding(LogFinding.FindingKind.NO_LOG, node, null, TmMessage.NODE_WITHOUT_LOG.id(), null, null,
                        TmMessage.NODE_WITHOUT_LOG + " node '" + node + "' has no log in " + source.location(node)
                        + ": it never ran with this log directory; check log.directory and the node ids"));
            }
        }
        for (long inc : incarnations) {
            IncKey key = new IncKey(node, inc);
            OwnedLog o = owned.get(key);
            if (o != null && !o.log.stillHeld()) {
                // Another recovery took it since our last scan (our lease lapsed): drop our copy and look again.
                owned.remove(key);
                try {
                    o.log.close();
                } catch (IOException ignored) {
                    // nothing of ours is left to release
                }
                o = null;
            }
            if (o != null) {
                pass.incs.put(key, IncView.of(key, o));
                continue;
            }
            IncView v = new IncView(key);
            pass.incs.put(key, v);
            use(v, decisions.look(inc, pass.act));
        }
    }

    private void use(IncView v, DecisionSource.Look look) {
        IncKey key = v.key;
        v.owner = look.owner();
        v.problem = look.problem();
        if (look.taken() != null) {
            OwnedLog o = new OwnedLog(look.taken());
            owned.put(key, o);
            v.owned = o;
            v.pending = o.pending;
            pass.action(Kind.TAKE_OVER, true, key.nodeId(), null, null, null, "incarnation " + key.incarnation()
                    + " is dead (its lock was free): its log is taken over, " + o.pending.size()
                    + " open decision(s)" + look.repaired());
            tornTail(key, look.taken().tornTail(), true);
            return;
        }
        v.pending = look.pending();
        tornTail(key, look.tornTail(), false);
        if (look.failure() instanceof CorruptLogException e) {
            v.problem = "corrupt log: " + e.getMessage();
            pass.finding(new LogFinding(LogFinding.FindingKind.CORRUPT, key.nodeId(), key.incarnation(), TmMessage.CORRUPT_LOG.id(),
                    e.file(), e.offset(), TmMessage.CORRUPT_LOG + " the log of node '" + key.nodeId()
                    + "' incarnation " + key.incarnation() + " is corrupt: " + e.getMessage() + " (file " + e.file()
                    + ", offset " + e.offset() + "); its transactions are left in doubt for an operator: no "
                    + "decision is guessed"));
        } else if (look.failure() != null) {
            v.problem = "cannot read its log: " + Pass.describe(look.failure());
            pass.finding(new LogFinding(LogFinding.FindingKind.UNREADABLE, key.nodeId(), key.incarnation(),
                    TmMessage.LOG_UNREADABLE.id(), null, null, TmMessage.LOG_UNREADABLE + " cannot read the log of "
                    + "node '" + key.nodeId() + "' incarnation " + key.incarnation() + ": "
                    + Pass.describe(look.failure())));
        }
    }

    /** An ignored torn tail, as a finding: repaired when this pass took the log over, else left to its owner. */
    private void tornTail(IncKey key, ReplayResult.TornTail t, boolean repaired) {
        if (t == null) {
            return;
        }
        pass.finding(new LogFinding(LogFinding.FindingKind.TORN_TAIL, key.nodeId(), key.incarnation(), null, t.file(), t.offset(),
                "torn tail of node '" + key.nodeId() + "' incarnation " + key.incarnation() + " at " + t.file()
                + " offset " + t.offset() + " (" + t.problem() + "): never acknowledged, ignored"
                + (repaired ? " and repaired by the take-over" : " (read without repair: a live owner may be "
                + "writing there)")));
    }
}
