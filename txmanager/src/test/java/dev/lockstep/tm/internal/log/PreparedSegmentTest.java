package dev.lockstep.tm.internal.log;

import static dev.lockstep.tm.internal.log.Records.commit;
import static dev.lockstep.tm.internal.log.Records.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.log.ReplayResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The next segment is created and zero-filled in the background once the current one is half full, so that a roll
 * does not stall the committers; after a crash the prepared segment, which no manifest lists yet, is ignored.
 */
class PreparedSegmentTest {

    @TempDir
    Path dir;
    @TempDir
    Path crashImage;

    /*
     * Scenario: COMMITs fill more than half of a 64 KiB segment; a copy of the node's directory is taken while the
     * prepared (empty) next segment sits beside the current one, as a crash would leave it; then more COMMITs roll
     * into the prepared segment; then the log closes.
     * Expected: the prepared file appears before any roll; the crash image replays every COMMIT written before the
     * copy, the prepared segment (not in the manifest) ignored; after the roll the second segment holds the new records; a clean
     * close leaves no empty segment behind.
     */
    @Test
    void theNextSegmentIsPreparedBeforeTheRollAndAnEmptyOneReadsAsTheEnd() throws Exception {
        int firstBatch = 400; // about 36 KiB of COMMIT frames: past half of 64 KiB, short of a roll
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), new FaultyLogStorage().skipSync()).log()) {
            for (long n = 0; n < firstBatch; n++) {
                log.writeCommit(commit(n));
            }
            long end = System.nanoTime() + 10_000_000_000L;
            while (LogFixture.segmentFileCount(dir) < 2 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertEquals(2, LogFixture.segmentFileCount(dir), "the next segment is prepared");
            assertEquals(0, log.stats().flushes(FlushReason.ROLL), "before any roll");
            copyNodeDirectory(LogFixture.nodeDir(dir), LogFixture.nodeDir(crashImage));

            for (long n = firstBatch; n < 1000; n++) {
                log.writeCommit(commit(n));
            }
            assertTrue(log.stats().flushes(FlushReason.ROLL) >= 1, log.stats().toString());
            assertEquals(2, log.stats().segmentsCreated(), "the roll used the prepared segment: " + log.stats());
        }

        OpenedLog fromCrash = DecisionLog.open(LogFixture.settings(crashImage), new FileLogStorage());
        try (DecisionLog log = fromCrash.log()) {
            ReplayResult replay = fromCrash.inDoubt().get(0).replay();
            assertEquals(firstBatch, replay.pending().size());
            assertTrue(replay.tornTail().isEmpty(), "an unlisted prepared segment is not a torn tail: " + replay);
        }

        List<Path> segments = LogFixture.segments(dir, 1);
        assertEquals(2, segments.size(), "the close removed the unused prepared segment: " + segments);
        OpenedLog reopened = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage());
        try (DecisionLog log = reopened.log()) {
            ReplayResult replay = reopened.inDoubt().get(0).replay();
            assertEquals(1000, replay.pending().size());
            assertEquals(commit(999), replay.pending().get(key(999)).commit());
        }
    }

    private static void copyNodeDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, to.resolve(f.getFileName().toString()));
            }
        }
    }
}
