package dev.lockstep.tm.internal.recovery;

import dev.lockstep.tm.log.HeuristicOutcome;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.recovery.RecoveryAction.Kind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * Step 4: a resource that decided on its own is recorded in its dead owner's log (a forced HEURISTIC record, through
 * the taken-over log and so through the injectable storage), then told to {@code forget()} it, and kept reported
 * until an operator resolves it (invariant 7). A live owner's log is never written: there it is only reported.
 */
final class HeuristicRecorder {

    private final Pass pass;

    HeuristicRecorder(Pass pass) {
        this.pass = pass;
    }

    void record(ListedTx tx, IncView v, ListedBranch b, HeuristicOutcome kind, String why) {
        String name = b.scan.name();
        b.waitingFor = "heuristic " + kind + " on " + name + ": an operator resolves it";
        if (v.owned == null) {
            pass.action(Kind.HEURISTIC, false, tx, b, "the resource decided " + kind + " on its own (" + why + "); "
                    + "its owner is alive, so it is not recorded in its log: the resource keeps reporting it");
            return;
        }
        HeuristicRecord record = new HeuristicRecord(tx.gtrid.bytes(), b.xid.getBranchQualifier(), name, kind,
                pass.nowMillis);
        try {
            v.owned.log.writeHeuristic(record);
        } catch (IOException e) {
            pass.action(Kind.HEURISTIC, false, tx, b, "heuristic " + kind + " could not be recorded: "
                    + Pass.describe(e));
            return;
        }
        PendingDecision d = v.owned.pending.get(tx.gtrid);
        List<HeuristicRecord> hs = new ArrayList<>(d == null ? List.of() : d.heuristics());
        hs.add(record);
        v.owned.pending.put(tx.gtrid, new PendingDecision(d == null ? null : d.commit(), hs,
                d != null && d.ended()));
        forgetQuietly(b.scan.connection.xaResource(), b.xid); // recorded: the resource need not keep it
        pass.action(Kind.HEURISTIC, true, tx, b, "the resource decided " + kind + " on its own (" + why + "); "
                + "recorded in the log until an operator resolves it");
    }

    private static void forgetQuietly(XAResource xa, Xid xid) {
        try {
            xa.forget(xid);
        } catch (XAException | RuntimeException ignored) {
            // the outcome is settled either way; the resource may keep a note it no longer needs
        }
    }
}
