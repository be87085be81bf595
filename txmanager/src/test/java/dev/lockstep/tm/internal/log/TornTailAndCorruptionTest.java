package dev.lockstep.tm.internal.log;

import static dev.lockstep.tm.internal.log.Records.commit;
import static dev.lockstep.tm.internal.log.Records.end;
import static dev.lockstep.tm.internal.log.Records.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.log.CorruptLogException;
import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogManifest;
import dev.lockstep.tm.log.LogReader;
import dev.lockstep.tm.log.LogRecord;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Invariant 8 (docs/log-format.md, "Reading"): a torn tail is ignored, damage of forced data is loud.
 * The log under test, written by a real {@link DecisionLog}: 5 COMMITs, each forced in a batch of its own (MARK,
 * COMMIT), then END of the 1st and 2nd in the batch of close (MARK, END, END). Its one segment is the open one.
 * Every test runs on a log of format version 2 (as earlier releases wrote it) and of version 3; the writers that
 * reopen it are always of the current version. A writer of version 3 seals its open segment at a clean close; the
 * manifest is put back to {1 OPEN}, as a process that died right after its last force leaves it.
 */
@ParameterizedClass
@ValueSource(ints = {RecordCodec.VERSION_ZEROED, RecordCodec.FORMAT_VERSION})
class TornTailAndCorruptionTest {

    @Parameter
    int version;

    @TempDir
    Path dir;

    private final List<LogRecord> written = new ArrayList<>();
    /** Where each record's frame ends, in log order. */
    private final List<Integer> recordEnds = new ArrayList<>();
    /** Where each record's frame starts. */
    private final List<Integer> recordStarts = new ArrayList<>();
    /** Where each frame (MARKs too) ends. */
    private final List<Integer> frameEnds = new ArrayList<>();
    private Path segment;
    private byte[] data;

    @BeforeEach
    void writeSmallLog() throws IOException {
        try (DecisionLog log = LogFixture.open(dir, version).log()) {
            for (long n = 1; n <= 5; n++) {
                log.writeCommit(commit(n));
                written.add(commit(n));
            }
            log.writeEnd(end(1));
            log.writeEnd(end(2));
            written.add(end(1));
            written.add(end(2));
        }
        Files.write(LogFixture.nodeDir(dir).resolve(LogLayout.manifestFileName(1)),
                new LogManifest(1, false, List.of(LogManifest.Segment.open(1))).encode());
        segment = LogFixture.segments(dir, 1).get(0);
        data = Files.readAllBytes(segment);
        int pos = RecordCodec.SEGMENT_HEADER_BYTES;
        for (int i = 0; i < written.size(); i++) {
            LogRecord r = written.get(i);
            if (i <= 5) {
                pos += RecordCodec.MARK_FRAME_BYTES; // each COMMIT's batch and the batch of the ENDs start with one
                frameEnds.add(pos);
            }
            recordStarts.add(pos);
            pos += RecordCodec.frame(r).length;
            recordEnds.add(pos);
            frameEnds.add(pos);
        }
        assertEquals(written.size(), LogReader.replay(LogFixture.nodeDir(dir), 1).recordsRead());
    }

    /** Replays incarnation 1 as on disk, but with {@code segmentBytes} as its segment's content. */
    private ReplayResult replayWith(byte[] segmentBytes) throws IOException {
        return LogReader.replay(LogFixture.nodeDir(dir), 1, overriding(Map.of(segment, segmentBytes)));
    }

    /** The files on disk, except those in {@code files}, read as the bytes given there. */
    static LogSource overriding(Map<Path, byte[]> files) {
        LogSource disk = LogSource.files();
        return new LogSource() {
            @Override
            public List<Path> list(Path d) throws IOException {
                return disk.list(d);
            }

            @Override
            public byte[] read(Path file) throws IOException {
                return files.containsKey(file) ? files.get(file) : disk.read(file);
            }
        };
    }

    /*
     * Every cut of the open segment after its header (truncated, or zero-filled from the cut) is a torn tail or a
     * clean end: exactly the records before the cut replay. A cut inside the header is corruption: a listed segment's
     * header was forced before the manifest named it.
     */
    @Test
    void truncatingAtEveryByteReplaysExactlyTheRecordsBeforeTheCut() throws IOException {
        int dataEnd = recordEnds.get(recordEnds.size() - 1);
        for (int cut = 0; cut <= dataEnd; cut++) {
            byte[] shorter = Arrays.copyOf(data, cut);
            byte[] zeroFilled = data.clone();
            Arrays.fill(zeroFilled, cut, zeroFilled.length, (byte) 0);
            for (byte[] copy : List.of(shorter, zeroFilled)) {
                if (cut < RecordCodec.SEGMENT_HEADER_BYTES) {
                    CorruptLogException e = assertThrows(CorruptLogException.class, () -> replayWith(copy));
                    assertEquals(0, e.offset());
                    continue;
                }
                assertReplayMatchesCut(replayWith(copy), cut);
            }
        }
    }

    @Test
    void reopeningTruncatedCopiesThroughTheWriterReportsTheSame() throws IOException {
        int dataEnd = recordEnds.get(recordEnds.size() - 1);
        Path manifest = LogFixture.nodeDir(dir).resolve(LogLayout.manifestFileName(1));
        for (int cut = RecordCodec.SEGMENT_HEADER_BYTES; cut <= dataEnd; cut += 13) {
            Path copyDir = dir.resolve("cut-" + cut);
            Path node = LogFixture.nodeDir(copyDir);
            Files.createDirectories(node);
            Files.write(node.resolve(segment.getFileName()), Arrays.copyOf(data, cut));
            Files.copy(manifest, node.resolve(manifest.getFileName()));
            OpenedLog opened = DecisionLog.open(LogFixture.settings(copyDir), new FaultyLogStorage().skipSync());
            try (DecisionLog log = opened.log()) {
                assertEquals(2, log.incarnation(), "the counter continues after the highest incarnation on disk");
                Set<Gtrid> expected = expectedPending(recordsBefore(cut));
                Set<Gtrid> found = opened.inDoubt().isEmpty() ? Set.of() : opened.inDoubt().get(0).replay().pending()
                        .keySet();
                assertEquals(expected, found, "cut at " + cut);
                if (expected.isEmpty()) {
                    assertFalse(Files.exists(node.resolve(segment.getFileName())), "nothing open: retired");
                    assertFalse(Files.exists(node.resolve(manifest.getFileName())), "nothing open: retired");
                }
            }
        }
    }

    /* COMMIT 2's batch was forced before COMMIT 3's MARK was written: damage there is corruption. */
    @Test
    void aFlippedByteBeforeALaterMarkIsCorruptionNamingFileAndOffset() throws IOException {
        int secondRecord = recordStarts.get(1);
        for (int inFrame : new int[] {2, 6, 20}) { // length, CRC, payload
            byte[] damaged = data.clone();
            damaged[secondRecord + inFrame] ^= 0x10;
            CorruptLogException e = assertThrows(CorruptLogException.class, () -> replayWith(damaged));
            assertEquals(segment, e.file());
            assertEquals(secondRecord, e.offset());
            assertTrue(e.getMessage().startsWith("decision log corrupt: " + segment + " at offset " + secondRecord
                    + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("valid records follow it; refusing to guess"), e.getMessage());
        }
    }

    /* The ENDs' batch was never followed by a force: damage in it is a torn tail, and nothing after it counts. */
    @Test
    void aFlippedByteInTheLastBatchIsATornTail() throws IOException {
        int lastRecord = recordStarts.get(recordStarts.size() - 1);
        byte[] damaged = data.clone();
        damaged[lastRecord + 12] ^= 0x01;
        ReplayResult replay = replayWith(damaged);
        assertEquals(written.size() - 1, replay.recordsRead());
        assertEquals(lastRecord, replay.tornTail().orElseThrow().offset());
        assertEquals(Set.of(key(2), key(3), key(4), key(5)), replay.pending().keySet(), "END(2) was the torn one");
    }

    /*
     * Defect 3 of issue 11 (power loss): the kernel wrote back a later part of the unforced tail but not an earlier
     * one. Zeros where the ENDs' MARK and END(1) were, END(2) intact after them: a torn tail at the hole, and END(2)
     * is not applied (it lies after the end of the data), where version 1 called this corruption.
     */
    @Test
    void aHoleInTheUnforcedTailFollowedByAnIntactFrameIsATornTail() throws IOException {
        int batchStart = recordStarts.get(5) - RecordCodec.MARK_FRAME_BYTES;
        byte[] holed = data.clone();
        Arrays.fill(holed, batchStart, recordEnds.get(5), (byte) 0);
        ReplayResult replay = replayWith(holed);
        assertEquals(batchStart, replay.tornTail().orElseThrow().offset());
        assertEquals(5, replay.recordsRead());
        assertEquals(Set.of(key(1), key(2), key(3), key(4), key(5)), replay.pending().keySet());
        byte[] garbage = holed.clone();
        for (int i = batchStart; i < recordEnds.get(5); i++) {
            garbage[i] = (byte) (i * 31);
        }
        assertEquals(batchStart, replayWith(garbage).tornTail().orElseThrow().offset(), "stale bytes, not zeros");
    }

    /*
     * Damage in a sealed segment is corruption even where it would be a torn tail in the open one: a sealed segment
     * was forced to its data end before the manifest sealed it.
     */
    @Test
    void damageInASealedSegmentIsCorruption() throws IOException {
        Path node = LogFixture.nodeDir(dir);
        Path next = node.resolve(LogLayout.segmentFileName(1, 2));
        byte[] later = new byte[4096];
        System.arraycopy(RecordCodec.segmentHeader(version, 1, 2), 0, later, 0, RecordCodec.SEGMENT_HEADER_BYTES);
        int salt = RecordCodec.salt(version, 2);
        RecordCodec.fillMark(later, RecordCodec.SEGMENT_HEADER_BYTES, RecordCodec.SEGMENT_HEADER_BYTES, salt);
        byte[] frame = RecordCodec.frame(commit(9));
        RecordCodec.saltFrame(frame, 0, salt);
        System.arraycopy(frame, 0, later, RecordCodec.SEGMENT_HEADER_BYTES + RecordCodec.MARK_FRAME_BYTES,
                frame.length);
        int dataEnd = recordEnds.get(recordEnds.size() - 1);
        byte[] manifest = new LogManifest(1, false, List.of(LogManifest.Segment.sealed(1, dataEnd),
                LogManifest.Segment.open(2))).encode();
        Path manifestFile = node.resolve(LogLayout.manifestFileName(1));
        int lastRecord = recordStarts.get(recordStarts.size() - 1);
        byte[] damaged = data.clone();
        damaged[lastRecord + 12] ^= 0x01;
        Map<Path, byte[]> files = new HashMap<>(Map.of(segment, damaged, next, later, manifestFile, manifest));
        CorruptLogException e = assertThrows(CorruptLogException.class,
                () -> LogReader.replay(node, 1, overriding(files)));
        assertEquals(segment, e.file());
        assertEquals(lastRecord, e.offset());
        // Intact, the two segments replay one after the other.
        files.put(segment, data);
        ReplayResult ok = LogReader.replay(node, 1, overriding(files));
        assertEquals(written.size() + 1, ok.recordsRead());
        assertTrue(ok.pending().containsKey(key(9)));
    }

    @Test
    void theWriterRefusesToOpenOverACorruptOlderIncarnation() throws IOException {
        byte[] damaged = data.clone();
        damaged[recordStarts.get(1) + 20] ^= 0x10;
        Files.write(segment, damaged);
        CorruptLogException e = assertThrows(CorruptLogException.class,
                () -> DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()));
        assertEquals(segment, e.file());
        assertEquals((long) recordStarts.get(1), e.offset());
        // The failed open released its locks: after the file is restored the node opens.
        Files.write(segment, data);
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()).log()) {
            assertEquals(3, log.incarnation());
        }
    }

    /* A segment of format version 1 is refused with a message that says what to do. */
    @Test
    void aVersionOneSegmentIsRefusedClearly() throws IOException {
        byte[] old = data.clone();
        ByteBuffer.wrap(old).putShort(4, (short) 1).putInt(20, RecordCodec.crc(old, 0, 20));
        IOException e = assertThrows(IOException.class, () -> replayWith(old));
        assertFalse(e instanceof CorruptLogException);
        assertTrue(e.getMessage().contains("segment format version 1 is not supported; this build reads versions 2"
                + " and 3"),
                e.getMessage());
    }

    private void assertReplayMatchesCut(ReplayResult replay, int cut) {
        int whole = recordsBefore(cut);
        assertEquals(whole, replay.recordsRead(), "cut at " + cut);
        assertEquals(expectedPending(whole), replay.pending().keySet(), "cut at " + cut);
        // A partial frame whose written bytes are all zero (the high bytes of its length) looks exactly like
        // preallocated space: nothing is lost either way, and the reader calls it the end of the data.
        int lastWholeEnd = RecordCodec.SEGMENT_HEADER_BYTES;
        for (int end : frameEnds) {
            if (end <= cut) {
                lastWholeEnd = end;
            }
        }
        boolean onlyZerosAfterLastFrame = Arrays.equals(Arrays.copyOfRange(data, lastWholeEnd, cut),
                new byte[cut - lastWholeEnd]);
        assertEquals(!onlyZerosAfterLastFrame, replay.tornTail().isPresent(), "cut at " + cut + ": "
                + replay.tornTail());
    }

    private int recordsBefore(int cut) {
        int n = 0;
        while (n < recordEnds.size() && recordEnds.get(n) <= cut) {
            n++;
        }
        return n;
    }

    private Set<Gtrid> expectedPending(int whole) {
        Set<Gtrid> open = new HashSet<>();
        for (LogRecord r : written.subList(0, whole)) {
            if (r instanceof dev.lockstep.tm.log.CommitRecord) {
                open.add(r.key());
            } else {
                open.remove(r.key());
            }
        }
        return open;
    }
}
