package dev.lockstep.tm.log;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The merging rule of replay, shared by every decision store (the file log's {@link LogReader} and the database
 * store): records applied in the order they were written leave the decisions still open.
 *
 * <p>The latest copy of a COMMIT wins (the file log relocates open decisions into newer segments); an END closes a
 * decision unless heuristic records keep it open (then it is only marked ended); a FORGET closes it for good.
 */
public final class DecisionFold {

    private final Map<Gtrid, Open> open = new LinkedHashMap<>();

    /** Applies one record, in the order records were written. */
    public void apply(LogRecord record) {
        Gtrid key = record.key();
        if (record instanceof CommitRecord c) {
            open.computeIfAbsent(key, k -> new Open()).commit = c;
        } else if (record instanceof HeuristicRecord h) {
            Open o = open.computeIfAbsent(key, k -> new Open());
            if (!o.heuristics.contains(h)) {
                o.heuristics.add(h);
            }
        } else if (record instanceof EndRecord) {
            Open o = open.get(key);
            if (o != null && o.heuristics.isEmpty()) {
                open.remove(key);
            } else if (o != null) {
                o.ended = true;
            }
        } else {
            open.remove(key);
        }
    }

    /** The decisions still open after the records applied so far, in the order they were first seen. */
    public Map<Gtrid, PendingDecision> pending() {
        Map<Gtrid, PendingDecision> pending = new LinkedHashMap<>();
        open.forEach((k, v) -> pending.put(k, new PendingDecision(v.commit, v.heuristics, v.ended)));
        return pending;
    }

    /** A decision being assembled. */
    private static final class Open {
        CommitRecord commit;
        final List<HeuristicRecord> heuristics = new ArrayList<>();
        boolean ended;
    }
}
