package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogManifest;
import dev.lockstep.tm.log.LogReader;
import dev.lockstep.tm.log.ReplayResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Takes over the log of a dead incarnation so a recovery can append to it (invariant 4: only after its owner died,
 * i.e. once its lock is free; docs/log-format.md, "Takeover"). The steps:
 * <ol>
 * <li>Take the incarnation's lock without blocking; if it is held, the owner (or another recovery) is alive: give
 * up, and write nothing.</li>
 * <li>Replay it. A corrupt log fails here, with the lock released: nothing is written to it.</li>
 * <li>Zero the open segment from the end of its data (a torn tail's offset) and force it: the bytes on disk then
 * end where the reader stopped, and what the dead process wrote without forcing (ENDs its timer flushed, still in
 * the page cache after a kill) is durable before the seal below says so. Without that force a power loss after the
 * takeover would leave a sealed segment shorter than its data end: corruption, on a pure power loss.</li>
 * <li>Delete the segment files the manifest does not list (a prepared next segment, leftovers of a crash).</li>
 * <li>Create a new, small segment after every number seen, and write the manifest: every old segment sealed (the
 * old open one at its data end), the new one open. Only then is anything appended. The returned writer never
 * reclaims: the decisions its records close sit in segments it does not track, and the whole incarnation is deleted
 * at once when nothing in it is open ({@link DecisionLog#retire()}).</li>
 * </ol>
 * A crash at any step leaves a log that reads the same: until the new manifest is durable the old one names the old
 * segment open, whose data ends at the same offset before and after the zeroing.
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
     * held. Creates the lock file and a manifest (and so resurrects the incarnation) if it was retired, so an
     * operator's decision can be recorded for it.
     */
    public static TakenOver takeOver(LogSettings settings, LogStorage storage, long incarnation) throws IOException {
        Path nodeDir = LogLayout.nodeDirectory(settings.logDirectory(), settings.nodeId());
        LogStorage.LockHandle lock = storage.tryLock(nodeDir.resolve(LogLayout.incarnationLockFileName(incarnation)));
        if (lock == null) {
            return null;
        }
        SegmentWriter writer = null;
        try {
            ReplayResult replay = LogReader.replay(nodeDir, incarnation, LogFiles.source(storage));
            LogManifest manifest = replay.manifest() == null || replay.manifest().retired() ? null : replay.manifest();
            Map<Long, Long> sealed = new TreeMap<>();
            long highest = 0;
            if (manifest != null) {
                for (LogManifest.Segment s : manifest.segments()) {
                    Path file = nodeDir.resolve(LogLayout.segmentFileName(incarnation, s.number()));
                    if (s.open()) {
                        storage.zeroFrom(file, replay.openDataEnd()); // forces the data before the seal, see step 3
                        sealed.put(s.number(), replay.openDataEnd());
                    } else {
                        sealed.put(s.number(), s.dataEnd());
                    }
                    highest = s.number();
                }
            }
            for (Path f : LogLayout.segmentsIn(storage.list(nodeDir), incarnation)) {
                OptionalLong number = LogLayout.segmentNumberOf(f);
                highest = Math.max(highest, number.getAsLong());
                if (!sealed.containsKey(number.getAsLong())) {
                    storage.delete(f); // not part of the log; its number is still skipped below
                }
            }
            writer = new SegmentWriter(storage, nodeDir, incarnation, SEGMENT_BYTES, false, null);
            writer.startAt(highest + 1, sealed);
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
}
