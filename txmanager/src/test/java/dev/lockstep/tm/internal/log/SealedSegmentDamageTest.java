package dev.lockstep.tm.internal.log;

import static dev.lockstep.tm.internal.log.Records.commit;
import static dev.lockstep.tm.internal.log.Records.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.log.CorruptLogException;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogManifest;
import dev.lockstep.tm.log.LogReader;
import dev.lockstep.tm.log.RecordCodec;
import dev.lockstep.tm.log.ReplayResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defect 3 of issue 11: damage of a segment that is not the last one must not read as a clean end of data, and a
 * missing segment must be noticed. Version 1 read a segment cut at a frame start (or a zeroed page after it) as
 * "length 0, then preallocated zeros", and could not tell a deleted segment from a reclaimed one; every acknowledged
 * open COMMIT after that point was gone silently. The log under test: 200 open COMMITs in 4 KiB segments, so the
 * first segments are sealed (docs/log-format.md, "Manifest").
 */
class SealedSegmentDamageTest {

    @TempDir
    Path dir;

    private Path node;
    private Path sealed;
    private byte[] data;
    private long dataEnd;
    private int frameStart;

    @BeforeEach
    void writeLog() throws IOException {
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage(), 4096, Runnable::run)
                .log()) {
            for (long n = 0; n < 200; n++) {
                log.writeCommit(commit(n));
            }
        }
        node = LogFixture.nodeDir(dir);
        LogManifest manifest = LogManifest.decode(node.resolve(LogLayout.manifestFileName(1)),
                Files.readAllBytes(node.resolve(LogLayout.manifestFileName(1))));
        assertTrue(manifest.segments().size() > 3, manifest.toString());
        LogManifest.Segment second = manifest.segments().get(1);
        assertTrue(!second.open());
        sealed = node.resolve(LogLayout.segmentFileName(1, second.number()));
        data = Files.readAllBytes(sealed);
        dataEnd = second.dataEnd();
        // The start of the third frame of the segment (a MARK, then a COMMIT, then the next batch's MARK ...).
        ByteBuffer b = ByteBuffer.wrap(data);
        frameStart = RecordCodec.SEGMENT_HEADER_BYTES;
        for (int i = 0; i < 2; i++) {
            frameStart += RecordCodec.FRAME_HEADER_BYTES + b.getInt(frameStart);
        }
        assertEquals(200, LogReader.replay(node, 1).pending().size());
    }

    @Test
    void aSealedSegmentCutAtOrJustAfterAFrameStartIsCorruption() throws IOException {
        for (int into = 0; into <= 3; into++) {
            Files.write(sealed, Arrays.copyOf(data, frameStart + into));
            CorruptLogException e = assertCorrupt();
            assertEquals(frameStart + into, e.offset());
            assertTrue(e.getMessage().contains("shorter than its sealed data end " + dataEnd), e.getMessage());
        }
    }

    @Test
    void aSealedSegmentCutAndZeroFilledIsCorruption() throws IOException {
        byte[] zeroed = data.clone();
        Arrays.fill(zeroed, frameStart, zeroed.length, (byte) 0);
        Files.write(sealed, zeroed);
        assertEquals(frameStart, assertCorrupt().offset());
        byte[] page = data.clone();
        Arrays.fill(page, frameStart + 1, Math.min(frameStart + 1 + 4096, page.length), (byte) 0);
        Files.write(sealed, page);
        assertEquals(frameStart, assertCorrupt().offset());
    }

    @Test
    void aMissingListedSegmentIsCorruption() throws IOException {
        Files.delete(sealed);
        CorruptLogException e = assertCorrupt();
        assertTrue(e.getMessage().contains("listed in 0000000000000001.manifest but missing"), e.getMessage());
    }

    @Test
    void aLostManifestOfALogWithDataIsCorruption() throws IOException {
        Files.delete(node.resolve(LogLayout.manifestFileName(1)));
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> LogReader.replay(node, 1));
        assertTrue(e.getMessage().contains("has no manifest"), e.getMessage());
    }

    @Test
    void aSegmentFileTheManifestDoesNotListIsIgnored() throws IOException {
        Path stray = node.resolve(LogLayout.segmentFileName(1, 999));
        Files.write(stray, Arrays.copyOf(RecordCodec.segmentHeader(1, 999), 4096));
        ReplayResult replay = LogReader.replay(node, 1);
        assertEquals(200, replay.pending().size());
        assertTrue(replay.pending().containsKey(key(199)));
    }

    private CorruptLogException assertCorrupt() {
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> LogReader.replay(node, 1));
        assertEquals(sealed, e.file());
        CorruptLogException atStart = assertThrows(CorruptLogException.class,
                () -> DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()));
        assertEquals(sealed, atStart.file());
        return e;
    }
}
