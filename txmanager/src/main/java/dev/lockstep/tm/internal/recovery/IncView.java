package dev.lockstep.tm.internal.recovery;

import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.recovery.InDoubtTransaction.Owner;
import java.util.Map;

/** What the logs say about one incarnation in this pass. */
final class IncView {
    final IncKey key;
    Owner owner;
    Map<Gtrid, PendingDecision> pending = Map.of();
    OwnedLog owned;
    /** Why its log cannot be used (missing, corrupt, unreadable), or null. */
    String problem;

    IncView(IncKey key) {
        this.key = key;
    }

    /** A view of an incarnation this recovery holds: dead, and its pending decisions are ours to change. */
    static IncView of(IncKey key, OwnedLog o) {
        IncView v = new IncView(key);
        v.owner = Owner.DEAD;
        v.owned = o;
        v.pending = o.pending;
        return v;
    }
}
