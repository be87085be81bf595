package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.snapshot.LockstepSnapshot;
import dev.lockstep.tm.snapshot.LockstepSnapshot.RecordedHeuristic;
import dev.lockstep.tm.log.HeuristicOutcome;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.List;

/**
 * The heuristic outcomes this incarnation reported, for {@code Lockstep.snapshot()}: the latest
 * {@link LockstepSnapshot#HEURISTICS_KEPT} and a total. Heuristics are rare and each costs a forced log record, so one
 * lock here costs nothing that matters; no commit without a heuristic comes near it.
 */
final class HeuristicsSeen {

    private final ArrayDeque<RecordedHeuristic> latest = new ArrayDeque<>();
    private long total;

    synchronized void add(String transaction, byte[] gtrid, int branch, String resource, HeuristicOutcome kind,
            long atMillis, boolean recorded) {
        if (latest.size() == LockstepSnapshot.HEURISTICS_KEPT) {
            latest.removeFirst();
        }
        latest.addLast(new RecordedHeuristic(transaction, HexFormat.of().formatHex(gtrid), branch, resource, kind,
                Instant.ofEpochMilli(atMillis), recorded));
        total++;
    }

    synchronized List<RecordedHeuristic> latest() {
        return List.copyOf(latest);
    }

    synchronized long total() {
        return total;
    }
}
