package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.LogRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The open decisions of the running incarnation and the segments that hold their latest copies (DESIGN.md invariant
 * 9). A segment that no open decision pins can be deleted; a decision pinned to an old segment is relocated.
 * Used only by the holder of the writer token, so it needs no locking.
 */
final class LiveDecisions {

    /** One open decision: the frames that must survive, and the segments they are in. */
    static final class Decision {
        byte[] commitFrame;
        final List<byte[]> heuristicFrames = new ArrayList<>(1);
        byte[] endFrame;
        final TreeSet<Long> segments = new TreeSet<>();

        /** The frames a relocation copies, in the order the reader must see them. */
        List<byte[]> frames() {
            List<byte[]> result = new ArrayList<>(heuristicFrames.size() + 2);
            if (commitFrame != null) {
                result.add(commitFrame);
            }
            result.addAll(heuristicFrames);
            if (endFrame != null) {
                result.add(endFrame);
            }
            return result;
        }
    }

    private final Map<Gtrid, Decision> byGtrid = new HashMap<>();
    private final Map<Long, Integer> pinsBySegment = new HashMap<>();

    /** Tracks {@code record}, whose frame {@code frame} was just written into segment {@code segment}. */
    void apply(LogRecord record, byte[] frame, long segment) {
        Gtrid key = record.key();
        if (record instanceof CommitRecord) {
            Decision d = byGtrid.computeIfAbsent(key, k -> new Decision());
            d.commitFrame = frame;
            pin(d, segment);
        } else if (record instanceof HeuristicRecord) {
            Decision d = byGtrid.computeIfAbsent(key, k -> new Decision());
            d.heuristicFrames.add(frame);
            pin(d, segment);
        } else if (record instanceof EndRecord) {
            Decision d = byGtrid.get(key);
            if (d == null) {
                return; // a decision of an older incarnation, or already forgotten: nothing pinned
            }
            if (d.heuristicFrames.isEmpty()) {
                remove(key, d);
            } else {
                // Heuristics keep the decision open until an operator forgets them (invariant 7).
                d.endFrame = frame;
                pin(d, segment);
            }
        } else {
            Decision d = byGtrid.get(key);
            if (d != null) {
                remove(key, d);
            }
        }
    }

    /** The open decisions with a copy in a segment numbered below {@code segment}. */
    List<Decision> pinnedBelow(long segment) {
        List<Decision> result = new ArrayList<>();
        for (Decision d : byGtrid.values()) {
            if (d.segments.first() < segment) {
                result.add(d);
            }
        }
        return result;
    }

    /** Records that every frame of {@code d} now lives in {@code segment} only. */
    void relocated(Decision d, long segment) {
        for (Long s : d.segments) {
            unpin(s);
        }
        d.segments.clear();
        pin(d, segment);
    }

    /** How many open decisions have a copy in {@code segment}. */
    int pins(long segment) {
        return pinsBySegment.getOrDefault(segment, 0);
    }

    int size() {
        return byGtrid.size();
    }

    private void pin(Decision d, long segment) {
        if (d.segments.add(segment)) {
            pinsBySegment.merge(segment, 1, Integer::sum);
        }
    }

    private void unpin(long segment) {
        pinsBySegment.computeIfPresent(segment, (k, v) -> v == 1 ? null : v - 1);
    }

    private void remove(Gtrid key, Decision d) {
        for (Long s : d.segments) {
            unpin(s);
        }
        byGtrid.remove(key);
    }
}
