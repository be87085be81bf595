package dev.lockstep.tm.internal.log;

import static dev.lockstep.tm.internal.log.Records.commit;
import static dev.lockstep.tm.internal.log.Records.end;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.tm.internal.coordinator.DecisionNotRecordedException;
import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.log.RecordCodec;
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
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

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
 * Both sweeps run with the process writing segments of format version 2 (as earlier releases) and of version 3
 * (recycled files); the next start is always of the current version.
 */
@ParameterizedClass
@ValueSource(ints = {RecordCodec.VERSION_ZEROED, RecordCodec.FORMAT_VERSION})
class FaultInjectionSweepTest {

    @Parameter
    int version;

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

    private static final int COMMITTERS = 4;
    private static final int PER_COMMITTER = 25;

    /*
     * The same sweep with 4 committers at once, so that the writer token passes between committers (DecisionLog's
     * class comment: a lone committer forces its own batch, a token holder wakes the committers it made durable and
     * the oldest of the rest to lead the next batch): every operation fails once in turn, wherever it falls, and a
     * mistake in the hand-over (a parked committer nobody serves, a record answered before its force, a failure
     * answered with the wrong certainty) shows as a committer that never returns, or a commit acknowledged but
     * missing, or refused but present.
     */
    @Test
    void everyOperationFailingOnceWithConcurrentCommittersAnswersEachCommitterRightly() throws Exception {
        long total;
        {
            SimDisk dry = new SimDisk();
            Outcome clean = runConcurrently(dry);
            assertTrue(clean.unknown.isEmpty() && clean.notRecorded.isEmpty() && !clean.openFailed);
            total = dry.operations();
        }
        int runs = 0;
        int images = 0;
        Map<String, Long> forcesByThread = new java.util.concurrent.ConcurrentHashMap<>();
        long forces = 0;
        long commits = 0;
        Random random = new Random(13);
        for (long n = 0; n < total + 20; n++) { // concurrent runs vary in length: a few more than the dry run
            for (SimDisk.FailMode mode : SimDisk.FailMode.values()) {
                SimDisk disk = new SimDisk();
                SimDisk.Op[] failed = new SimDisk.Op[1];
                long target = n;
                disk.listener((index, op, path) -> {
                    if (index == target) {
                        failed[0] = op;
                    }
                    if (op == SimDisk.Op.FORCE) {
                        forcesByThread.merge(Thread.currentThread().getName(), 1L, Long::sum);
                        // A force takes a while, as on a disk, so that others arrive and park meanwhile.
                        java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                    }
                });
                disk.failAt(n, mode);
                Outcome outcome = runConcurrently(disk);
                disk.listener(null);
                commits += outcome.acked.size() + outcome.unknown.size() + outcome.notRecorded.size();
                if (failed[0] == null || mode == SimDisk.FailMode.TORN && failed[0] != SimDisk.Op.WRITE) {
                    continue; // this run had fewer operations, or TORN is the same as BEFORE here
                }
                runs++;
                String where = "concurrent, operation " + n + " (" + failed[0] + ") failing " + mode;
                if (failed[0] == SimDisk.Op.DELETE) {
                    assertEquals(Set.of(), outcome.unknown, where + ": a failed reclamation failed committers");
                    assertEquals(Set.of(), outcome.notRecorded, where + ": a failed reclamation poisoned the log");
                }
                check(disk.copy(), outcome, where + ", process stop");
                for (SimDisk image : disk.crashImages(random, 2)) {
                    images++;
                    check(image, outcome, where + ", crash image");
                }
            }
        }
        for (long n : forcesByThread.values()) {
            forces += n;
        }
        System.out.printf("concurrent fault-injection sweep: %d operations, %d failing runs, %d crash images, "
                + "%d commits, forces by thread %s%n", total, runs, images, commits, forcesByThread);
        assertTrue(runs > 200, "runs: " + runs);
        for (int t = 0; t < COMMITTERS; t++) {
            assertTrue(forcesByThread.getOrDefault("sweep-committer-" + t, 0L) > 100, "the token must pass between "
                    + "all committers: " + forcesByThread);
        }
        assertTrue(forces < commits * 9 / 10, "committers must share forces (batches of several records): " + forces
                + " forces for " + commits + " commits");
    }

    /**
     * {@value #COMMITTERS} threads each commit {@value #PER_COMMITTER} times, ending older commits as they go, the
     * first also flushing now and then; a thread stops at its first failure. None may wait more than 30 s.
     */
    private Outcome runConcurrently(SimDisk disk) throws Exception {
        Outcome out = new Outcome();
        DecisionLog log;
        try {
            log = DecisionLog.open(SETTINGS, disk.process("tm"), SEGMENT_BYTES, Runnable::run, version).log();
        } catch (IOException e) {
            out.openFailed = true;
            return out;
        }
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(COMMITTERS);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < COMMITTERS; t++) {
            int thread = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    commitAndEnd(log, thread, out);
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "sweep-committer-" + t);
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) {
            th.join(30_000);
            if (th.isAlive()) {
                fail(th.getName() + " still waits for its commit after 30 s");
            }
        }
        if (!errors.isEmpty()) {
            throw new AssertionError(errors.get(0));
        }
        return out; // the process stops here, without closing
    }

    private static void commitAndEnd(DecisionLog log, int thread, Outcome out) {
        Random random = new Random(thread);
        List<Long> open = new ArrayList<>();
        for (int i = 0; i < PER_COMMITTER; i++) {
            long n = thread * 1000L + i;
            try {
                log.writeCommit(commit(n));
                synchronized (out) {
                    out.acked.add(n);
                }
                if (i % 7 != 3) {
                    open.add(n);
                }
            } catch (DecisionNotRecordedException e) {
                assertTrue(e.getCause() instanceof LogFailedException, String.valueOf(e.getCause()));
                synchronized (out) {
                    out.notRecorded.add(n);
                }
                return;
            } catch (LogFailedException e) {
                synchronized (out) {
                    out.unknown.add(n);
                }
                return;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            while (open.size() > 1 + random.nextInt(3)) {
                long ended = open.remove(random.nextInt(open.size()));
                try {
                    log.writeEnd(end(ended));
                    synchronized (out) {
                        out.ended.add(ended);
                    }
                } catch (IOException e) {
                    assertTrue(e instanceof DecisionNotRecordedException, String.valueOf(e));
                }
            }
            if (thread == 0 && i % 5 == 0) {
                try {
                    log.flush(false);
                } catch (IOException e) {
                    // Others' records appended after the failed batch was taken were never written: not recorded.
                    assertTrue(e instanceof LogFailedException || e instanceof DecisionNotRecordedException
                            && e.getCause() instanceof LogFailedException, String.valueOf(e));
                }
            }
        }
    }

    private Outcome run(SimDisk disk) {
        Outcome out = new Outcome();
        DecisionLog log;
        try {
            log = DecisionLog.open(SETTINGS, disk.process("tm"), SEGMENT_BYTES, Runnable::run, version).log();
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
