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
import dev.lockstep.tm.log.LogReader;
import dev.lockstep.tm.log.LogRecord;
import dev.lockstep.tm.log.RecordCodec;
import dev.lockstep.tm.log.ReplayResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md invariant 8: a torn tail is ignored, damage followed by intact records is loud.
 * The log under test: 5 COMMITs, then END of the 1st and 2nd, written by a real {@link DecisionLog}.
 */
class TornTailAndCorruptionTest {

    @TempDir
    Path dir;

    private final List<LogRecord> written = new ArrayList<>();
    private final List<Integer> frameEnds = new ArrayList<>();
    private Path segment;
    private byte[] data;

    @BeforeEach
    void writeSmallLog() throws IOException {
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()).log()) {
            for (long n = 1; n <= 5; n++) {
                log.writeCommit(commit(n));
                written.add(commit(n));
            }
            log.writeEnd(end(1));
            log.writeEnd(end(2));
            written.add(end(1));
            written.add(end(2));
        }
        segment = LogFixture.segments(dir, 1).get(0);
        data = Files.readAllBytes(segment);
        int pos = RecordCodec.SEGMENT_HEADER_BYTES;
        for (LogRecord r : written) {
            pos += RecordCodec.frame(r).length;
            frameEnds.add(pos);
        }
    }

    @Test
    void truncatingAtEveryByteReplaysExactlyTheRecordsBeforeTheCut() throws IOException {
        int dataEnd = frameEnds.get(frameEnds.size() - 1);
        for (int cut = 0; cut <= dataEnd; cut++) {
            byte[] shorter = Arrays.copyOf(data, cut);
            byte[] zeroFilled = data.clone();
            Arrays.fill(zeroFilled, cut, zeroFilled.length, (byte) 0);
            for (byte[] copy : List.of(shorter, zeroFilled)) {
                ReplayResult replay = LogReader.replay(List.of(segment), 1, f -> copy);
                assertReplayMatchesCut(replay, cut);
            }
        }
    }

    @Test
    void reopeningTruncatedCopiesThroughTheWriterReportsTheSame() throws IOException {
        int dataEnd = frameEnds.get(frameEnds.size() - 1);
        for (int cut = 0; cut <= dataEnd; cut += 13) {
            Path copyDir = dir.resolve("cut-" + cut);
            Path node = LogFixture.nodeDir(copyDir);
            Files.createDirectories(node);
            Files.write(node.resolve(segment.getFileName()), Arrays.copyOf(data, cut));
            OpenedLog opened = DecisionLog.open(LogFixture.settings(copyDir), new FaultyLogStorage().skipSync());
            try (DecisionLog log = opened.log()) {
                assertEquals(2, log.incarnation(), "the counter continues after the highest incarnation on disk");
                Set<Gtrid> expected = expectedPending(recordsBefore(cut));
                Set<Gtrid> found = opened.inDoubt().isEmpty() ? Set.of() : opened.inDoubt().get(0).replay().pending()
                        .keySet();
                assertEquals(expected, found, "cut at " + cut);
                if (expected.isEmpty()) {
                    assertFalse(Files.exists(node.resolve(segment.getFileName())), "nothing open: retired");
                }
            }
        }
    }

    @Test
    void aFlippedByteBeforeIntactRecordsIsCorruptionNamingFileAndOffset() throws IOException {
        int secondFrame = frameEnds.get(0);
        for (int inFrame : new int[] {2, 6, 20}) { // length, CRC, payload
            byte[] damaged = data.clone();
            damaged[secondFrame + inFrame] ^= 0x10;
            CorruptLogException e = assertThrows(CorruptLogException.class,
                    () -> LogReader.replay(List.of(segment), 1, f -> damaged));
            assertEquals(segment, e.file());
            assertEquals(secondFrame, e.offset());
            assertTrue(e.getMessage().startsWith("decision log corrupt: " + segment + " at offset " + secondFrame
                    + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("valid records follow it; refusing to guess"), e.getMessage());
        }
    }

    @Test
    void aFlippedByteInTheLastRecordIsATornTail() throws IOException {
        int lastFrame = frameEnds.get(frameEnds.size() - 2);
        byte[] damaged = data.clone();
        damaged[lastFrame + 12] ^= 0x01;
        ReplayResult replay = LogReader.replay(List.of(segment), 1, f -> damaged);
        assertEquals(written.size() - 1, replay.recordsRead());
        assertEquals(lastFrame, replay.tornTail().orElseThrow().offset());
        assertEquals(Set.of(key(2), key(3), key(4), key(5)), replay.pending().keySet(), "END(2) was the torn one");
    }

    @Test
    void damageInAnEarlierSegmentFollowedByALaterSegmentIsCorruption() throws IOException {
        Path next = segment.resolveSibling("0000000000000001-00000002.seg");
        byte[] later = new byte[4096];
        System.arraycopy(RecordCodec.segmentHeader(1, 2), 0, later, 0, RecordCodec.SEGMENT_HEADER_BYTES);
        byte[] frame = RecordCodec.frame(commit(9));
        System.arraycopy(frame, 0, later, RecordCodec.SEGMENT_HEADER_BYTES, frame.length);
        int lastFrame = frameEnds.get(frameEnds.size() - 2);
        byte[] damaged = data.clone();
        damaged[lastFrame + 12] ^= 0x01;
        CorruptLogException e = assertThrows(CorruptLogException.class,
                () -> LogReader.replay(List.of(segment, next), 1, f -> f.equals(segment) ? damaged : later));
        assertEquals(lastFrame, e.offset());
        // Intact, the two segments replay one after the other.
        ReplayResult ok = LogReader.replay(List.of(segment, next), 1, f -> f.equals(segment) ? data : later);
        assertEquals(written.size() + 1, ok.recordsRead());
        assertTrue(ok.pending().containsKey(key(9)));
    }

    @Test
    void theWriterRefusesToOpenOverACorruptOlderIncarnation() throws IOException {
        byte[] damaged = data.clone();
        damaged[frameEnds.get(1) + 20] ^= 0x10;
        Files.write(segment, damaged);
        CorruptLogException e = assertThrows(CorruptLogException.class,
                () -> DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()));
        assertEquals(segment, e.file());
        assertEquals((long) frameEnds.get(1), e.offset());
        // The failed open released its locks: after the file is restored the node opens.
        Files.write(segment, data);
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()).log()) {
            assertEquals(3, log.incarnation());
        }
    }

    private void assertReplayMatchesCut(ReplayResult replay, int cut) {
        int whole = recordsBefore(cut);
        assertEquals(whole, replay.recordsRead(), "cut at " + cut);
        assertEquals(expectedPending(whole), replay.pending().keySet(), "cut at " + cut);
        // A partial frame whose written bytes are all zero (the high bytes of its length) looks exactly like
        // preallocated space: nothing is lost either way, and the reader calls it the end of the data.
        int lastWholeEnd = whole == 0 ? RecordCodec.SEGMENT_HEADER_BYTES : frameEnds.get(whole - 1);
        boolean onlyZerosAfterLastRecord = cut >= RecordCodec.SEGMENT_HEADER_BYTES
                && Arrays.equals(Arrays.copyOfRange(data, lastWholeEnd, cut), new byte[cut - lastWholeEnd]);
        assertEquals(!onlyZerosAfterLastRecord, replay.tornTail().isPresent(), "cut at " + cut + ": "
                + replay.tornTail());
    }

    private int recordsBefore(int cut) {
        int n = 0;
        while (n < frameEnds.size() && frameEnds.get(n) <= cut) {
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
