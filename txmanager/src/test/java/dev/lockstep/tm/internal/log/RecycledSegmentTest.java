package dev.lockstep.tm.internal.log;

import static dev.lockstep.tm.internal.log.Records.commit;
import static dev.lockstep.tm.internal.log.Records.end;
import static dev.lockstep.tm.internal.log.Records.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogManifest;
import dev.lockstep.tm.log.LogReader;
import dev.lockstep.tm.log.LogSource;
import dev.lockstep.tm.log.RecordCodec;
import dev.lockstep.tm.log.ReplayResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format version 3 recycles segment files: the bytes after the data of a recycled segment are frames of an earlier
 * pass, intact under that pass's segment number. They must read as the end of the data, never as records, at every
 * point where the new pass may end (docs/log-format.md, "Recycling").
 *
 * <p>The log under test, written by a real {@link DecisionLog} with 4 KiB segments: COMMIT/END pairs until a roll
 * lands in a recycled file (whose earlier pass was full), then three COMMITs that stay open, then a clean close.
 */
class RecycledSegmentTest {

    private static final long SEGMENT_BYTES = 4096;

    @TempDir
    Path dir;

    /** Keeps, for every recycled segment, the bytes its file held before it was renamed and written over. */
    private static final class StaleKeeping extends ForwardingLogStorage {
        final Map<Path, byte[]> before = new HashMap<>();

        StaleKeeping() {
            super(new FaultyLogStorage().skipSync());
        }

        @Override
        public LogChannel recycleSegment(Path spare, Path file, byte[] header) throws IOException {
            before.put(file, Files.readAllBytes(spare));
            return super.recycleSegment(spare, file, header);
        }
    }

    private Path node;
    private Path manifestFile;
    private Path current;
    private LogManifest sealedAtClose;
    private byte[] data;
    private byte[] stale;
    private long dataEnd;
    /** Offsets and ends of the records of the current (recycled) segment, in order. */
    private final List<int[]> frames = new ArrayList<>();
    private Set<Gtrid> pendingIntact;

    @BeforeEach
    void writeLogWithRecycledOpenSegment() throws IOException {
        StaleKeeping storage = new StaleKeeping();
        node = LogFixture.nodeDir(dir);
        manifestFile = node.resolve(LogLayout.manifestFileName(1));
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), storage, SEGMENT_BYTES, Runnable::run)
                .log()) {
            for (long n = 0; ; n++) {
                long rolls = log.stats().flushes(FlushReason.ROLL);
                log.writeCommit(commit(n));
                log.writeEnd(end(n));
                LogStats stats = log.stats();
                Path now = node.resolve(LogLayout.segmentFileName(1, stats.segmentsCreated()));
                if (stats.flushes(FlushReason.ROLL) > rolls && stats.segmentsCreated() >= 4
                        && storage.before.containsKey(now)) {
                    current = now;
                    break;
                }
                assertTrue(n < 10_000, "no roll into a recycled segment: " + stats);
            }
            for (long n = 1000; n < 1003; n++) {
                log.writeCommit(commit(n));
            }
        }
        sealedAtClose = LogManifest.decode(manifestFile, Files.readAllBytes(manifestFile));
        LogManifest.Segment last = sealedAtClose.segments().get(sealedAtClose.segments().size() - 1);
        assertEquals(current, node.resolve(LogLayout.segmentFileName(1, last.number())));
        assertTrue(!last.open(), "a clean close seals the open segment");
        dataEnd = last.dataEnd();
        data = Files.readAllBytes(current);
        stale = storage.before.get(current);
        assertTrue(Arrays.equals(data, (int) dataEnd, data.length, stale, (int) dataEnd, stale.length),
                "nothing but the header and the new frames was written over the earlier pass");
        ReplayResult intact = LogReader.visit(node, 1, (file, offset, record) -> {
            if (file.equals(current)) {
                frames.add(new int[] {(int) offset, (int) offset + RecordCodec.frame(record).length});
            }
        });
        assertTrue(intact.tornTail().isEmpty(), "a sealed segment ends at its data end: " + intact.tornTail());
        pendingIntact = intact.pending().keySet();
        assertEquals(Set.of(key(1000), key(1001), key(1002)), pendingIntact);
        // The earlier pass was longer, and its frames are intact under its own number right where the new pass ends.
        long oldNumber = ByteBuffer.wrap(stale).getInt(16) & 0xFFFFFFFFL;
        assertNotEquals(last.number(), oldNumber);
        assertTrue(intactFramesEnd(stale, RecordCodec.salt(RecordCodec.FORMAT_VERSION, oldNumber)) > dataEnd + 100,
                "the earlier pass holds valid frames beyond the new data end");
        // From here on the segment is the open one, as a process that died after its last force leaves it.
        List<LogManifest.Segment> open = new ArrayList<>(sealedAtClose.segments().subList(0,
                sealedAtClose.segments().size() - 1));
        open.add(LogManifest.Segment.open(last.number()));
        Files.write(manifestFile, new LogManifest(1, false, open).encode());
    }

    /* The new pass cut at every byte and the earlier pass's bytes after the cut: only the new pass's records count. */
    @Test
    void staleFramesOfTheEarlierPassAreNeverReplayedAtAnyCut() throws IOException {
        for (int cut = RecordCodec.SEGMENT_HEADER_BYTES; cut <= dataEnd; cut++) {
            byte[] image = Arrays.copyOf(data, Math.max(data.length, stale.length));
            System.arraycopy(stale, cut, image, cut, stale.length - cut);
            List<Integer> seen = new ArrayList<>();
            ReplayResult r = LogReader.visit(node, 1, overriding(image), (file, offset, record) -> {
                if (file.equals(current)) {
                    seen.add((int) offset);
                }
            });
            // Where the image first differs from the new pass: before it the bytes are the new pass's (a relocated
            // COMMIT of a decision that stays open sits at the same offset in every pass, so the earlier pass may
            // hold the very same bytes after the cut); a frame that ends there or before is the new pass's own.
            int differs = cut;
            while (differs < data.length && differs < image.length && image[differs] == data[differs]) {
                differs++;
            }
            List<Integer> expected = new ArrayList<>();
            for (int[] f : frames) {
                if (f[1] <= differs) {
                    expected.add(f[0]);
                }
            }
            assertEquals(expected, seen, "cut at " + cut);
            // The same as the new pass cut there with zeros after it, as a fresh file would hold: no stale decision.
            byte[] zeroed = Arrays.copyOf(Arrays.copyOf(data, differs), image.length);
            assertEquals(LogReader.replay(node, 1, overriding(zeroed)).pending(), r.pending(), "cut at " + cut);
        }
    }

    /* The next start and the recovery's takeover read the log with the stale tail the same way, and repair it. */
    @Test
    void theNextStartAndATakeoverSeeOnlyTheNewPass() throws IOException {
        ReplayResult read = LogReader.replay(node, 1);
        assertEquals(pendingIntact, read.pending().keySet());
        assertEquals(dataEnd, read.openDataEnd());
        LogTakeover.TakenOver taken = LogTakeover.takeOver(LogFixture.settings(dir), new FileLogStorage(), 1);
        assertNotNull(taken);
        assertEquals(pendingIntact, taken.replay().pending().keySet());
        for (long n = 1000; n < 1003; n++) {
            taken.log().writeEnd(end(n));
        }
        taken.log().flush(true);
        taken.log().close();
        byte[] repaired = Files.readAllBytes(current);
        for (int i = (int) dataEnd; i < repaired.length; i++) {
            assertEquals(0, repaired[i], "the takeover zeroes the stale tail before sealing it, at " + i);
        }
        OpenedLog next = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage());
        try (DecisionLog log = next.log()) {
            assertEquals(List.of(), next.inDoubt(), "every decision ended: the old incarnation is retired");
        }
    }

    private LogSource overriding(byte[] image) {
        return TornTailAndCorruptionTest.overriding(Map.of(current, image));
    }

    /** Where the intact frames from the header on end, checked with {@code salt}. */
    private static int intactFramesEnd(byte[] bytes, int salt) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int pos = RecordCodec.SEGMENT_HEADER_BYTES;
        while (pos + RecordCodec.FRAME_HEADER_BYTES <= bytes.length) {
            int length = b.getInt(pos);
            int payload = pos + RecordCodec.FRAME_HEADER_BYTES;
            if (length <= 0 || payload + length > bytes.length
                    || (b.getInt(pos + 4) ^ salt) != RecordCodec.crc(bytes, payload, length)) {
                break;
            }
            pos = payload + length;
        }
        return pos;
    }
}
