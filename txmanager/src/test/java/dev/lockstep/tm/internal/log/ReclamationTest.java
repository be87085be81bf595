package dev.lockstep.tm.internal.log;

import static dev.lockstep.tm.internal.log.Records.commit;
import static dev.lockstep.tm.internal.log.Records.end;
import static dev.lockstep.tm.internal.log.Records.gtrid;
import static dev.lockstep.tm.internal.log.Records.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.log.ForgetRecord;
import dev.lockstep.tm.log.HeuristicOutcome;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.log.ReplayResult;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/design.md invariant 9: under sustained load with a few decisions that never end, the number of segment files
 * stays bounded, and a restart still finds exactly the open ones.
 */
class ReclamationTest {

    private static final int PAIRS = 20_000;

    @TempDir
    Path dir;

    @Test
    void segmentCountStaysBoundedAndStuckDecisionsSurviveRelocation() throws Exception {
        HeuristicRecord heuristic = new HeuristicRecord(gtrid(-3), new byte[] {0, 0, 0, 2}, "artemis-01",
                HeuristicOutcome.MIXED, 123L);
        LogStats stats;
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), new FaultyLogStorage().skipSync()).log()) {
            for (long stuck = -1; stuck >= -4; stuck--) {
                log.writeCommit(commit(stuck));
            }
            log.writeHeuristic(heuristic);
            log.writeEnd(end(-3)); // ended, but the heuristic keeps it until forgotten
            log.writeCommit(commit(-5));
            log.writeHeuristic(new HeuristicRecord(gtrid(-5), new byte[] {1}, "postgres-a",
                    HeuristicOutcome.LOST, 5L));
            long maxFiles = 0;
            for (long n = 0; n < PAIRS; n++) {
                log.writeCommit(commit(n));
                log.writeEnd(end(n));
                if (n == PAIRS / 2) {
                    log.writeForget(new ForgetRecord(gtrid(-5)));
                }
                if (n % 250 == 0) {
                    maxFiles = Math.max(maxFiles, LogFixture.segmentFileCount(dir));
                    assertTrue(log.stats().segmentFiles() <= 4, log.stats().toString());
                }
            }
            stats = log.stats();
            assertTrue(maxFiles <= 4, "segment files on disk reached " + maxFiles);
            assertTrue(stats.segmentsCreated() > 30, stats.toString());
            assertTrue(stats.recordsRelocated() > 0, stats.toString());
            assertTrue(stats.segmentsRecycled() > 30, "files are reused, not zero-filled anew: " + stats);
            assertEquals(stats.segmentsCreated() - stats.segmentsRecycled() - stats.segmentsDeleted(),
                    stats.segmentFiles());
        }
        OpenedLog reopened = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage());
        try (DecisionLog log = reopened.log()) {
            assertEquals(2, log.incarnation());
            assertEquals(1, reopened.inDoubt().size());
            ReplayResult replay = reopened.inDoubt().get(0).replay();
            assertEquals(Set.of(key(-1), key(-2), key(-3), key(-4)), replay.pending().keySet());
            PendingDecision withHeuristic = replay.pending().get(key(-3));
            assertEquals(commit(-3), withHeuristic.commit());
            assertEquals(java.util.List.of(heuristic), withHeuristic.heuristics());
            assertTrue(withHeuristic.ended());
            assertNull(replay.pending().get(key(-5)), "forgotten");
            assertTrue(replay.tornTail().isEmpty());
        }
    }
}
