package dev.lockstep.tm.internal.log;

import static dev.lockstep.tm.internal.log.Records.commit;
import static dev.lockstep.tm.internal.log.Records.end;
import static dev.lockstep.tm.internal.log.Records.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.log.RecordCodec;
import dev.lockstep.tm.log.ReplayResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario: the storage fails under a running log.
 * Resources: none; the log alone, on a {@link FaultyLogStorage}.
 * Faults: a failed write, a failed force, a write torn after k bytes.
 * Expected: the committer whose batch failed gets an exception, the log is poisoned for every later write, and a
 * restart replays every acknowledged COMMIT and ignores the torn tail.
 */
class DecisionLogFaultTest {

    @TempDir
    Path dir;

    @Test
    void aFailedWritePoisonsTheLog() throws Exception {
        FaultyLogStorage storage = new FaultyLogStorage();
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), storage).log()) {
            log.writeCommit(commit(1));
            storage.failWrite(1);
            LogFailedException e = assertThrows(LogFailedException.class, () -> log.writeCommit(commit(2)));
            assertTrue(e.getMessage().startsWith("decision log failed at write of"), e.getMessage());
            assertTrue(e.getMessage().contains("restart the process"), e.getMessage());
            assertEquals("injected failure of write #" + 2, rootMessage(e));
            assertPoisoned(log);
        }
        assertReopenedPending(Set.of(1L));
    }

    @Test
    void aFailedForcePoisonsTheLogAndIsNeverRetried() throws Exception {
        FaultyLogStorage storage = new FaultyLogStorage();
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), storage).log()) {
            log.writeCommit(commit(1));
            storage.failForce();
            LogFailedException e = assertThrows(LogFailedException.class, () -> log.writeCommit(commit(2)));
            assertTrue(e.getMessage().contains("force of"), e.getMessage());
            assertEquals("injected failure of force", rootMessage(e));
            assertPoisoned(log);
        }
    }

    @Test
    void aTornWriteLeavesEveryAcknowledgedCommitReadable() throws Exception {
        FaultyLogStorage storage = new FaultyLogStorage();
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), storage).log()) {
            for (long n = 1; n <= 3; n++) {
                log.writeCommit(commit(n));
            }
            log.writeEnd(end(2));
            storage.tearWrite(1, 30);
            assertThrows(LogFailedException.class, () -> log.writeCommit(commit(4)));
            assertPoisoned(log);
        }
        ReplayResult replay = assertReopenedPending(Set.of(1L, 2L, 3L)); // END(2) was torn too
        assertTrue(replay.tornTail().isPresent(), "the torn END+COMMIT batch is reported as an ignored torn tail");
        long expectedOffset = RecordCodec.SEGMENT_HEADER_BYTES + 3L * RecordCodec.frame(commit(1)).length;
        assertEquals(expectedOffset, replay.tornTail().get().offset());
    }

    private static void assertPoisoned(DecisionLog log) {
        assertThrows(LogFailedException.class, () -> log.writeCommit(commit(10)));
        assertThrows(LogFailedException.class, () -> log.writeEnd(end(10)));
        assertThrows(LogFailedException.class, () -> log.flush(true));
    }

    private ReplayResult assertReopenedPending(Set<Long> expected) throws IOException {
        OpenedLog reopened = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage());
        try (DecisionLog log = reopened.log()) {
            assertEquals(2, log.incarnation());
            assertEquals(1, reopened.inDoubt().size());
            ReplayResult replay = reopened.inDoubt().get(0).replay();
            assertEquals(expected.size(), replay.pending().size(), replay.pending().toString());
            for (long n : expected) {
                assertEquals(commit(n), replay.pending().get(key(n)).commit());
            }
            return replay;
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        assertInstanceOf(IOException.class, c);
        return c.getMessage();
    }
}
