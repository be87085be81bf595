package dev.lockstep.tm.internal.log;

import static dev.lockstep.tm.internal.log.Records.commit;
import static dev.lockstep.tm.internal.log.Records.end;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.tm.internal.coordinator.DecisionNotRecordedException;
import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.testing.SimDisk;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every storage operation of a workload fails once, in turn ({@link SimDisk#failAt}): before its effect, after it
 * (a force that persisted but reported EIO, a delete that happened), or torn (a write's first half). For each:
 * <ul>
 * <li>a commit that returned is found by the next incarnation, after a process stop (page cache kept) and in every
 * crash image of that moment;</li>
 * <li>a commit that threw {@link DecisionNotRecordedException} is found in none of them (the contract that lets the
 * coordinator presume abort);</li>
 * <li>a failed delete (reclamation after a good force) fails no committer;</li>
 * <li>nothing is ever called corrupt.</li>
 * </ul>
 */
class FaultInjectionSweepTest {

    private static final long SEGMENT_BYTES = 8 * 1024;
    private static final Path LOG_DIR = Path.of("/sim/faults");
    private static final LogSettings SETTINGS = LogSettings.of(LOG_DIR, LogFixture.NODE);
    private static final int STEPS = 260;

    /** What the workload saw. */
    private static final class Outcome {
        final Set<Long> acked = new HashSet<>();
        final Set<Long> ended = new HashSet<>();
        final Set<Long> notRecorded = new HashSet<>();
        final Set<Long> unknown = new HashSet<>();
        boolean openFailed;
    }

    @Test
    void everyOperationFailingOnceKeepsAcknowledgedCommitsAndNeverRecordsTheRefusedOnes() throws Exception {
        long total;
        {
            SimDisk dry = new SimDisk();
            Outcome clean = run(dry);
            assertTrue(clean.unknown.isEmpty() && clean.notRecorded.isEmpty() && !clean.openFailed);
            total = dry.operations();
        }
        int runs = 0;
        int images = 0;
        Random random = new Random(11);
        for (long n = 0; n < total; n++) {
            for (SimDisk.FailMode mode : SimDisk.FailMode.values()) {
                SimDisk disk = new SimDisk();
                SimDisk.Op[] failed = new SimDisk.Op[1];
                long target = n;
                disk.listener((index, op, path) -> {
                    if (index == target) {
                        failed[0] = op;
                    }
                });
                disk.failAt(n, mode);
                Outcome outcome = run(disk);
                disk.listener(null);
                if (mode == SimDisk.FailMode.TORN && failed[0] != SimDisk.Op.WRITE) {
                    continue; // the same as BEFORE for every other kind
                }
                runs++;
                String where = "operation " + n + " (" + failed[0] + ") failing " + mode;
                if (failed[0] == SimDisk.Op.DELETE) {
                    assertEquals(Set.of(), outcome.unknown, where + ": a failed reclamation failed committers");
                    assertEquals(Set.of(), outcome.notRecorded, where + ": a failed reclamation poisoned the log");
                }
                check(disk.copy(), outcome, where + ", process stop");
                for (SimDisk image : disk.crashImages(random, 3)) {
                    images++;
                    check(image, outcome, where + ", crash image");
                }
            }
        }
        System.out.printf("fault-injection sweep: %d operations, %d failing runs, %d crash images%n", total, runs,
                images);
        assertTrue(runs > 500, "runs: " + runs);
    }

    private static Outcome run(SimDisk disk) {
        Outcome out = new Outcome();
        DecisionLog log;
        try {
            log = DecisionLog.open(SETTINGS, disk.process("tm"), SEGMENT_BYTES, Runnable::run).log();
        } catch (IOException e) {
            out.openFailed = true;
            return out;
        }
        Random random = new Random(5);
        List<Long> open = new ArrayList<>();
        for (long n = 0; n < STEPS; n++) {
            try {
                log.writeCommit(commit(n));
                out.acked.add(n);
                if (n % 30 != 7) {
                    open.add(n);
                }
            } catch (DecisionNotRecordedException e) {
                assertTrue(e.getCause() instanceof LogFailedException, String.valueOf(e.getCause()));
                out.notRecorded.add(n);
            } catch (LogFailedException e) {
                out.unknown.add(n);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            while (open.size() > 2 + random.nextInt(6)) {
                long ended = open.remove(random.nextInt(open.size()));
                try {
                    log.writeEnd(end(ended));
                    out.ended.add(ended);
                } catch (IOException e) {
                    assertTrue(e instanceof DecisionNotRecordedException, String.valueOf(e));
                }
            }
            if (n % 9 == 0) {
                try {
                    log.flush(false);
                } catch (IOException e) {
                    assertTrue(e instanceof LogFailedException, String.valueOf(e));
                }
            }
        }
        return out; // the process stops here, without closing
    }

    private static void check(SimDisk image, Outcome outcome, String where) throws IOException {
        OpenedLog opened;
        try {
            opened = DecisionLog.open(SETTINGS, image.process("next"), SEGMENT_BYTES, Runnable::run);
        } catch (IOException e) {
            throw new AssertionError(where + ": the next start failed: " + e, e);
        }
        try (DecisionLog log = opened.log()) {
            Map<Gtrid, PendingDecision> pending = Map.of();
            for (DeadIncarnation dead : opened.inDoubt()) {
                if (dead.incarnation() == 1) {
                    pending = dead.replay().pending();
                }
            }
            for (long n : outcome.acked) {
                if (!outcome.ended.contains(n) && !pending.containsKey(Records.key(n))) {
                    fail(where + ": acknowledged commit " + n + " is missing");
                }
            }
            for (long n : outcome.notRecorded) {
                if (pending.containsKey(Records.key(n))) {
                    fail(where + ": commit " + n + " was reported not recorded but is in the log");
                }
            }
            if (outcome.openFailed) {
                assertTrue(pending.isEmpty(), where);
            }
        }
    }
}
