package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogReader;
import dev.lockstep.tm.log.RecordCodec;
import dev.lockstep.tm.log.ReplayResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Takes over the log of a dead incarnation so a recovery can append to it (DESIGN.md invariant 4: only after its
 * owner died, i.e. once its lock is free). The steps:
 * <ol>
 * <li>Take the incarnation's lock without blocking; if it is held, the owner (or another recovery) is alive: give
 * up, and write nothing.</li>
 * <li>Replay its segments. A corrupt log fails here, with the lock released: nothing is written to it.</li>
 * <li>Repair a torn tail: zero the damaged bytes (or delete a segment whose header is damaged) and delete the later
 * segments (the reader proved they hold no intact frame), so records appended after it do not turn the old tear into
 * "damage followed by valid records".</li>
 * <li>Create a new, small segment after the last one and return a writer on it that never reclaims: the decisions
 * its records close sit in segments it does not track, and the whole incarnation is deleted at once when nothing in
 * it is open ({@link DecisionLog#retire()}).</li>
 * </ol>
 */
public final class LogTakeover {

    /** Segment size of a taken-over log: recovery writes a few records per decision. */
    public static final long SEGMENT_BYTES = LogSettings.MIN_SEGMENT_BYTES;

    private LogTakeover() {
    }

    /** A dead incarnation's log, locked by the caller, with what replay found in it. */
    public record TakenOver(DecisionLog log, ReplayResult replay) {
    }

    /**
     * Takes over incarnation {@code incarnation} of node {@code settings.nodeId()}, or returns null if its lock is
     * held. Creates the lock file (and so resurrects the incarnation) if it was retired, so an operator's decision can
     * be recorded for it.
     */
    public static TakenOver takeOver(LogSettings settings, LogStorage storage, long incarnation) throws IOException {
        Path nodeDir = LogLayout.nodeDirectory(settings.logDirectory(), settings.nodeId());
        LogStorage.LockHandle lock = storage.tryLock(nodeDir.resolve(LogLayout.incarnationLockFileName(incarnation)));
        if (lock == null) {
            return null;
        }
        SegmentWriter writer = null;
        try {
            List<Path> segments = LogLayout.segmentsIn(storage.list(nodeDir), incarnation);
            ReplayResult replay = LogReader.replay(segments, incarnation, file -> LogFiles.readAll(storage, file));
            long next = 1;
            if (replay.tornTail().isPresent()) {
                next = repair(storage, nodeDir, segments, replay.tornTail().get());
            } else if (!segments.isEmpty()) {
                next = LogLayout.segmentNumberOf(segments.get(segments.size() - 1)).getAsLong() + 1;
            }
            writer = new SegmentWriter(storage, nodeDir, incarnation, SEGMENT_BYTES, false);
            writer.startAt(next);
            LogSettings own = settings.withSegmentBytes(SEGMENT_BYTES);
            return new TakenOver(new DecisionLog(own, incarnation, writer, List.of(lock)), replay);
        } catch (IOException | RuntimeException | Error e) {
            try {
                if (writer != null) {
                    writer.close();
                }
                lock.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Repairs the torn tail; returns the number of the next segment to create. */
    private static long repair(LogStorage storage, Path nodeDir, List<Path> segments, ReplayResult.TornTail torn)
            throws IOException {
        int index = segments.indexOf(torn.file());
        long tornNumber = LogLayout.segmentNumberOf(torn.file()).getAsLong();
        for (int i = segments.size() - 1; i > index; i--) {
            storage.delete(segments.get(i));
        }
        long next;
        if (torn.offset() < RecordCodec.SEGMENT_HEADER_BYTES) {
            storage.delete(torn.file());
            next = tornNumber;
        } else {
            storage.zeroFrom(torn.file(), torn.offset());
            next = tornNumber + 1;
        }
        storage.forceDirectory(nodeDir);
        return next;
    }
}
