package dev.lockstep.tm.internal.log;

import static dev.lockstep.tm.internal.log.Records.commit;
import static dev.lockstep.tm.internal.log.Records.end;
import static dev.lockstep.tm.internal.log.Records.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.log.LogLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Invariant 4 (one writer per log, docs/log-format.md "Locks and incarnations") and the incarnation lifecycle. */
class LocksAndIncarnationsTest {

    @TempDir
    Path dir;

    @Test
    void aSecondOpenOfTheSameNodeFailsFastAndTheFirstKeepsWorking() throws Exception {
        DecisionLog first = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()).log();
        try {
            LogLockedException e = assertThrows(LogLockedException.class,
                    () -> DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()));
            assertTrue(e.getMessage().contains("'" + LogFixture.NODE + "'"), e.getMessage());
            assertTrue(e.getMessage().contains(LogFixture.nodeDir(dir).toString()), e.getMessage());
            assertTrue(e.getMessage().contains("another process, or another Lockstep in this JVM, is using this node"
                    + " id's log; stop it or give this instance its own nodeId"), e.getMessage());
            first.writeCommit(commit(1));
        } finally {
            first.close();
            first.close(); // idempotent
        }
        try (DecisionLog second = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()).log()) {
            assertEquals(first.incarnation() + 1, second.incarnation());
        }
        assertThrows(java.io.IOException.class, () -> first.writeCommit(commit(2)), "closed");
    }

    @Test
    void olderIncarnationsWithOpenDecisionsAreKeptAndEmptyOnesRetired() throws Exception {
        Path node = LogFixture.nodeDir(dir);
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()).log()) {
            log.writeCommit(commit(1));
            log.writeCommit(commit(2));
            log.writeEnd(end(1));
        }
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()).log()) {
            assertEquals(2, log.incarnation());
            log.writeCommit(commit(3));
            log.writeEnd(end(3));
        }
        OpenedLog third = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage());
        try (DecisionLog log = third.log()) {
            assertEquals(3, log.incarnation());
            assertEquals(1, third.inDoubt().size());
            DeadIncarnation dead = third.inDoubt().get(0);
            assertEquals(1, dead.incarnation());
            assertEquals(Set.of(key(2)), dead.replay().pending().keySet());
            assertFalse(LogFixture.segments(dir, 1).isEmpty(), "incarnation 1 is kept for recovery");
            assertTrue(Files.exists(node.resolve(LogLayout.incarnationLockFileName(1))));
            assertTrue(LogFixture.segments(dir, 2).isEmpty(), "incarnation 2 had nothing open: retired");
            assertFalse(Files.exists(node.resolve(LogLayout.incarnationLockFileName(2))));
            assertEquals(List.of(1L, 3L), LogLayout.incarnations(node));
        }
    }

    @Test
    void anOlderIncarnationLockedByRecoveryIsOnlyRead() throws Exception {
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()).log()) {
            log.writeCommit(commit(7));
        }
        Path lockFile = LogFixture.nodeDir(dir).resolve(LogLayout.incarnationLockFileName(1));
        try (LogStorage.LockHandle recoveryHolds = new FileLogStorage().tryLock(lockFile)) {
            assertTrue(recoveryHolds != null);
            OpenedLog opened = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage());
            try (DecisionLog log = opened.log()) {
                assertEquals(2, log.incarnation());
                assertEquals(Set.of(key(7)), opened.inDoubt().get(0).replay().pending().keySet());
                assertEquals(1, LogFixture.segments(dir, 1).size());
            }
        }
    }

    /*
     * Scenario (defect 4 of issue 11): a recovery holds incarnation 1's lock and retires it (deletes its files) while
     * a new start replays it read-only, between the start's read of the manifest and its read of the segment.
     * Expected: the start tries again, finds the incarnation retired, and counts it as having nothing open; it does not
     * fail with NoSuchFileException or a "missing segment" corruption.
     */
    @Test
    void aStartRacingRecoverysRetirementOfAnOlderIncarnationSeesNothingOpen() throws Exception {
        try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()).log()) {
            log.writeCommit(commit(7));
            log.writeEnd(end(7));
        }
        Path node = LogFixture.nodeDir(dir);
        Path lockFile = node.resolve(LogLayout.incarnationLockFileName(1));
        Path segment = LogFixture.segments(dir, 1).get(0);
        FileLogStorage recoveryStorage = new FileLogStorage();
        java.util.concurrent.atomic.AtomicBoolean retired = new java.util.concurrent.atomic.AtomicBoolean();
        try (LogStorage.LockHandle recoveryHolds = recoveryStorage.tryLock(lockFile)) {
            assertTrue(recoveryHolds != null);
            LogStorage racing = new ForwardingLogStorage(new FileLogStorage()) {
                @Override
                public LogChannel openForRead(Path file) throws java.io.IOException {
                    if (file.equals(segment) && retired.compareAndSet(false, true)) {
                        LogRetirement.retire(recoveryStorage, node, 1, lockFile); // the recovery, right now
                    }
                    return super.openForRead(file);
                }
            };
            OpenedLog opened = DecisionLog.open(LogFixture.settings(dir), racing);
            try (DecisionLog log = opened.log()) {
                assertTrue(retired.get(), "the race happened");
                assertEquals(2, log.incarnation());
                assertEquals(List.of(), opened.inDoubt());
            }
        }
        assertEquals(List.of(2L), LogLayout.incarnations(node));
    }

    @Test
    void theIncarnationCounterSurvivesRetirementAndRefusesDamage() throws Exception {
        for (int i = 1; i <= 3; i++) {
            try (DecisionLog log = DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()).log()) {
                assertEquals(i, log.incarnation(), "numbers are never reused, even after every file is retired");
            }
        }
        Path counter = LogFixture.nodeDir(dir).resolve(LogLayout.INCARNATION_FILE);
        byte[] bytes = Files.readAllBytes(counter);
        bytes[7] ^= 1;
        Files.write(counter, bytes);
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> DecisionLog.open(LogFixture.settings(dir), new FileLogStorage()));
        assertTrue(e.getMessage().contains("incarnation counter"), e.getMessage());
    }
}
