package dev.lockstep.tm.internal.recovery;

import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.log.PendingDecision;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A dead incarnation's log held by this recovery (kept, locked, across scans until retired or closed), and its open
 * decisions as they stand after our writes.
 */
final class OwnedLog {
    final DecisionSource.TakenOverLog log;
    final Map<Gtrid, PendingDecision> pending;

    OwnedLog(DecisionSource.Taken taken) {
        this.log = taken.log();
        this.pending = new LinkedHashMap<>(taken.pending());
    }
}
