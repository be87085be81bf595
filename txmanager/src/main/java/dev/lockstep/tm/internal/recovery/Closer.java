package dev.lockstep.tm.internal.recovery;

import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.recovery.RecoveryAction.Kind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Map;

/**
 * Steps 5 and 6: writes the END record of every COMMIT decision of a taken-over log whose branches are all known to
 * be finished (committed in this pass, or absent from an answered {@code recover()}: invariant 6), and retires a
 * taken-over incarnation with nothing open. Both writes go through the taken-over log, so through the injectable
 * storage; a failed one is reported and tried again by the next scan.
 */
final class Closer {

    private final Pass pass;
    private final Map<IncKey, OwnedLog> owned;

    Closer(Pass pass) {
        this.pass = pass;
        this.owned = pass.engine.owned;
    }

    void endFinished() {
        for (Map.Entry<IncKey, OwnedLog> e : owned.entrySet()) {
            OwnedLog o = e.getValue();
            for (Map.Entry<Gtrid, PendingDecision> d : new ArrayList<>(o.pending.entrySet())) {
                PendingDecision p = d.getValue();
                if (p.commit() == null || p.ended() || pass.unfinishedBranch(d.getKey(), p.commit()) != null) {
                    continue;
                }
                try {
                    o.log.writeEnd(new EndRecord(d.getKey().bytes()));
                } catch (IOException ex) {
                    pass.action(Kind.END, false, e.getKey().nodeId(), d.getKey().toString(), null, null,
                            "END could not be written: " + Pass.describe(ex));
                    continue;
                }
                if (p.heuristics().isEmpty()) {
                    o.pending.remove(d.getKey());
                } else {
                    o.pending.put(d.getKey(), new PendingDecision(p.commit(), p.heuristics(), true));
                }
                pass.action(Kind.END, true, e.getKey().nodeId(), d.getKey().toString(), null, null,
                        "every branch of the COMMIT decision is committed");
            }
        }
    }

    void retireEmpty() {
        for (Iterator<Map.Entry<IncKey, OwnedLog>> it = owned.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<IncKey, OwnedLog> e = it.next();
            if (!e.getValue().pending.isEmpty()) {
                continue;
            }
            it.remove();
            IncView v = pass.incs.get(e.getKey());
            if (v != null) {
                v.owned = null;
            }
            try {
                e.getValue().log.retire();
                pass.action(Kind.RETIRE, true, e.getKey().nodeId(), null, null, null, "incarnation "
                        + e.getKey().incarnation() + " has nothing open: its log is deleted");
            } catch (IOException | RuntimeException ex) {
                pass.action(Kind.RETIRE, false, e.getKey().nodeId(), null, null, null, "incarnation "
                        + e.getKey().incarnation() + " could not be retired: " + Pass.describe(ex));
            }
        }
    }
}
