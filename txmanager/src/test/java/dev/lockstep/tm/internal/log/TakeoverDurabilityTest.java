package dev.lockstep.tm.internal.log;

import static dev.lockstep.tm.internal.log.Records.commit;
import static dev.lockstep.tm.internal.log.Records.end;
import static dev.lockstep.tm.internal.log.Records.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogReader;
import dev.lockstep.tm.log.ReplayResult;
import dev.lockstep.tm.testing.SimDisk;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A takeover seals the dead incarnation's open segment at the data end it read, and a sealed segment must be forced
 * to that end (docs/log-format.md, "Reading"). The process that died may have left written but unforced bytes in the
 * page cache (ENDs flushed by its housekeeping timer); the takeover reads them, so it must force them before the
 * seal, or a power loss after the takeover turns them into "corruption" of a sealed segment.
 */
class TakeoverDurabilityTest {

    private static final Path LOG_DIR = Path.of("/sim/takeover");
    private static final LogSettings SETTINGS = LogSettings.of(LOG_DIR, LogFixture.NODE);

    /*
     * Scenario: COMMIT 1 and 2 forced, END 1 written by flush(false) (not forced); the process dies (its page cache
     * survives: a kill, not a power loss); a recovery takes the log over, and then the power fails.
     * Expected: every crash image after the takeover replays COMMIT 2 open, COMMIT 1 open or closed, and none is
     * called corrupt.
     */
    @Test
    void aPowerLossAfterATakeoverOfAKilledProcessIsNoCorruption() throws Exception {
        SimDisk disk = new SimDisk();
        SimDisk.Process tm = disk.process("tm");
        DecisionLog log = DecisionLog.open(SETTINGS, tm).log();
        log.writeCommit(commit(1));
        log.writeCommit(commit(2));
        log.writeEnd(end(1));
        log.flush(false);
        tm.crash();

        LogTakeover.TakenOver taken = LogTakeover.takeOver(SETTINGS, disk.process("recovery"), 1);
        assertNotNull(taken);
        assertEquals(List.of(key(2)), List.copyOf(taken.replay().pending().keySet()), "END 1 is in the page cache");
        Path nodeDir = LogLayout.nodeDirectory(LOG_DIR, LogFixture.NODE);
        List<SimDisk> images = disk.crashImages(new Random(1), 64);
        assertTrue(images.size() > 1, "something is still pending: " + images.size());
        for (SimDisk image : images) {
            ReplayResult replay = LogReader.replay(nodeDir, 1, LogFiles.source(image.process("reader")));
            assertTrue(replay.pending().containsKey(key(2)), replay.toString());
        }
    }
}
