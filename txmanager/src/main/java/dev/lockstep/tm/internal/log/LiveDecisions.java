package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.LogRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The open decisions of the running incarnation and the segments that hold their latest copies (docs/design.md
 * invariant
 * 9). A segment that no open decision pins can be deleted; a decision pinned to an old segment is relocated.
 * Used only by the holder of the writer token, so it needs no locking.
 */
final class LiveDecisions {

    /** One open decision: the frames that must survive, and the segments they are in. */
    static final class TxFrames {
        byte[] commitFrame;
        List<byte[]> heuristicFrames = List.of(); // made a list of its own on the first heuristic (rare)
        byte[] endFrame;
        // The segments holding a copy, ascending; almost always one, so a small array rather than a set.
        private long[] segments = new long[1];
        private int segmentCount;

        /** The oldest segment holding a copy. */
        long firstSegment() {
            return segments[0];
        }

        void addHeuristic(byte[] frame) {
            if (heuristicFrames.isEmpty()) {
                heuristicFrames = new ArrayList<>(1);
            }
            heuristicFrames.add(frame);
        }

        /** Adds {@code segment}; false if it was there already. */
        boolean addSegment(long segment) {
            int i = 0;
            while (i < segmentCount && segments[i] < segment) {
                i++;
            }
            if (i < segmentCount && segments[i] == segment) {
                return false;
            }
            if (segmentCount == segments.length) {
                segments = Arrays.copyOf(segments, segmentCount * 2);
            }
            System.arraycopy(segments, i, segments, i + 1, segmentCount - i);
            segments[i] = segment;
            segmentCount++;
            return true;
        }

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

    /** How many open decisions have a copy in one segment; mutable, so counting allocates nothing. */
    private static final class Pins {
        int count;
    }

    private final Map<Gtrid, TxFrames> byGtrid = new HashMap<>();
    private final Map<Long, Pins> pinsBySegment = new HashMap<>();

    /** Tracks {@code record}, whose frame {@code frame} was just written into segment {@code segment}. */
    void apply(LogRecord record, byte[] frame, long segment) {
        Gtrid key = record.key();
        if (record instanceof CommitRecord) {
            TxFrames d = byGtrid.computeIfAbsent(key, k -> new TxFrames());
            d.commitFrame = frame;
            pin(d, segment);
        } else if (record instanceof HeuristicRecord) {
            TxFrames d = byGtrid.computeIfAbsent(key, k -> new TxFrames());
            d.addHeuristic(frame);
            pin(d, segment);
        } else if (record instanceof EndRecord) {
            TxFrames d = byGtrid.get(key);
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
            TxFrames d = byGtrid.get(key);
            if (d != null) {
                remove(key, d);
            }
        }
    }

    /** The open decisions with a copy in a segment numbered below {@code segment}. */
    List<TxFrames> pinnedBelow(long segment) {
        List<TxFrames> result = new ArrayList<>();
        for (TxFrames d : byGtrid.values()) {
            if (d.firstSegment() < segment) {
                result.add(d);
            }
        }
        return result;
    }

    /** Records that every frame of {@code d} now lives in {@code segment} only. */
    void relocated(TxFrames d, long segment) {
        unpinAll(d);
        d.segmentCount = 0;
        pin(d, segment);
    }

    /** How many open decisions have a copy in {@code segment}. */
    int pins(long segment) {
        Pins p = pinsBySegment.get(segment);
        return p == null ? 0 : p.count;
    }

    int size() {
        return byGtrid.size();
    }

    private void pin(TxFrames d, long segment) {
        if (d.addSegment(segment)) {
            pinsBySegment.computeIfAbsent(segment, k -> new Pins()).count++;
        }
    }

    private void unpinAll(TxFrames d) {
        for (int i = 0; i < d.segmentCount; i++) {
            long segment = d.segments[i];
            Pins p = pinsBySegment.get(segment);
            if (p != null && --p.count == 0) {
                pinsBySegment.remove(segment);
            }
        }
    }

    private void remove(Gtrid key, TxFrames d) {
        unpinAll(d);
        byGtrid.remove(key);
    }
}
