package dev.lockstep.tm.recovery;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.TestAccess;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogReader;
import dev.lockstep.tm.log.LogSource;
import dev.lockstep.tm.log.RecordCodec;
import dev.lockstep.tm.testing.SimDisk;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The storage-fault sweep (issue 11): every storage operation of a long run fails in turn, and after each fault the
 * whole story must still end in one outcome per transaction.
 *
 * <p>The run, on a {@link SimDisk} with 4 KiB segments (so it crosses rolls, relocation of long-open decisions and
 * reclamation): a transaction manager (process p1) commits {@value #TRANSACTIONS} transactions over two
 * {@link SweepResource}s, some in one phase, some with a heuristic outcome that keeps their decision open; then p1
 * stops. A second start of the node (p2) opens its log, which examines and retires p1's incarnation if nothing in it is
 * open; a recovery (another process) scans beside the live p2, takes over p1's incarnation, finishes its branches,
 * and an operator resolves the heuristics, which lets the recovery retire it. Operation {@code n} of all that fails
 * ({@code BEFORE}: no effect; {@code AFTER}: the effect happened, then the error; {@code TORN}: half a write), for
 * every {@code n}; then recoveries without faults run until nothing is in doubt, over the disk as it is (the processes
 * stopped, the page cache survived) and over two crash images of it (a power loss after the fault).
 *
 * <p>Checked after each: no transaction ends with a branch committed and another rolled back (heuristic ones aside);
 * every {@code commit()} that returned normally is committed everywhere; {@code RollbackException} only where no
 * branch committed (no COMMIT can be on disk); a {@code SystemException} (outcome unknown) is allowed with either
 * outcome, the same everywhere; nothing stays prepared; and the dead incarnation ends retired.
 *
 * <p>{@code -Dlockstep.sweep.deep=true} runs a longer workload with more crash images per fault.
 *
 * <p>The sweep runs with the first process writing segments of format version 2 (as earlier releases wrote them)
 * and of version 3 (recycled files); the second start is always of the current version.
 */
@ParameterizedClass
@ValueSource(ints = {RecordCodec.VERSION_ZEROED, RecordCodec.FORMAT_VERSION})
class StorageFaultSweepTest {

    @Parameter
    int version;

    private static final boolean DEEP = Boolean.getBoolean("lockstep.sweep.deep");
    private static final int TRANSACTIONS = DEEP ? 300 : 90;
    private static final int IMAGES = DEEP ? 6 : 2;
    private static final String NODE = "sweep";

    @TempDir
    Path dir;

    /** What the application was told for one transaction. */
    enum Told { COMMITTED, ROLLED_BACK, UNKNOWN, HEURISTIC, OTHER }

    /** One transaction of the workload. */
    record Tx(byte[] gtrid, boolean onePhase, boolean heuristic, Told told, String detail) {
    }

    @Test
    void everyStorageOperationFailingInTurnLeavesOneOutcomePerTransaction() throws Exception {
        Story baseline = new Story(-1, null);
        List<SimDisk.Op> ops = new ArrayList<>();
        baseline.disk.listener((index, op, path) -> ops.add(op));
        baseline.run();
        List<String> problems = new ArrayList<>(baseline.check());
        assertTrue(problems.isEmpty(), "without a fault: " + problems);
        int rolls = baseline.rollsSeen;
        assertTrue(rolls >= 3, "the run crossed only " + rolls + " segment rolls");

        Map<SimDisk.FailMode, Integer> swept = new EnumMap<>(SimDisk.FailMode.class);
        Map<String, Integer> byOp = new TreeMap<>();
        int images = 0;
        int broken = 0;
        for (int n = 0; n < ops.size(); n++) {
            for (SimDisk.FailMode mode : modesFor(ops.get(n))) {
                Story s = new Story(n, mode);
                s.run();
                swept.merge(mode, 1, Integer::sum);
                byOp.merge(ops.get(n).name(), 1, Integer::sum);
                List<String> found = s.check();
                broken += found.isEmpty() ? 0 : 1;
                for (String p : found) {
                    problems.add("fault " + mode + " at operation " + n + " (" + ops.get(n) + "): " + p);
                }
                images += s.imagesChecked;
            }
        }
        int points = swept.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("storage-fault sweep: %d operations, %d fault points %s, %d crash images after a fault; "
                + "by operation %s%n", ops.size(), points, swept, images, byOp);
        assertTrue(problems.isEmpty(), broken + " of " + points + " fault points broke an invariant:\n"
                + String.join("\n", problems.subList(0, Math.min(25, problems.size()))));
    }

    private static List<SimDisk.FailMode> modesFor(SimDisk.Op op) {
        return switch (op) {
            case WRITE, ZERO_FROM, REPLACE_WRITE_TEMP -> List.of(SimDisk.FailMode.BEFORE, SimDisk.FailMode.AFTER,
                    SimDisk.FailMode.TORN);
            default -> List.of(SimDisk.FailMode.BEFORE, SimDisk.FailMode.AFTER);
        };
    }

    /** One run of the whole story, with operation {@code failAt} failing (or none for -1). */
    private final class Story {
        final SimDisk disk = new SimDisk();
        final long failAt;
        final SimDisk.FailMode mode;
        final SweepResource a = new SweepResource("a");
        final SweepResource b = new SweepResource("b");
        final List<Tx> txs = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        int rollsSeen;
        int imagesChecked;
        /** The incarnation p1 wrote, or -1 if its log could not be opened. */
        long p1Incarnation = -1;
        SimDisk afterP1;
        SweepResource aAfterP1;
        SweepResource bAfterP1;

        Story(long failAt, SimDisk.FailMode mode) {
            this.failAt = failAt;
            this.mode = mode;
            if (failAt >= 0) {
                disk.failAt(failAt, mode);
            }
        }

        /** The gtrids with a COMMIT record in p1's log as p1 left it (page cache included). */
        final java.util.Set<String> committedInLog = new java.util.HashSet<>();

        void run() {
            p1();
            afterP1 = disk.copy();
            readCommits();
            aAfterP1 = a.copy();
            bAfterP1 = b.copy();
            restartAndRecover(disk, a, b, "p2");
        }

        private void readCommits() {
            if (p1Incarnation < 0) {
                return;
            }
            LogSource source = new LogSource() {
                @Override
                public List<Path> list(Path d) {
                    return afterP1.files(d);
                }

                @Override
                public byte[] read(Path file) {
                    return afterP1.content(file);
                }
            };
            try {
                LogReader.visit(LogLayout.nodeDirectory(dir, NODE), p1Incarnation, source, (file, offset, record) -> {
                    if (record instanceof CommitRecord c) {
                        committedInLog.add(HexFormat.of().formatHex(c.gtrid()));
                    }
                });
            } catch (java.io.IOException | RuntimeException e) {
                problems.add("p1's log cannot be read after the fault: " + e);
            }
        }

        /** The first process: the workload, then a stop. */
        private void p1() {
            SimDisk.Process process = disk.process("p1");
            Lockstep ls;
            try {
                ls = build(process, version);
            } catch (RuntimeException e) {
                process.crash(); // the process exits: the OS drops its locks
                return; // the log could not be opened: no transaction ran, nothing to check
            }
            p1Incarnation = ls.incarnation();
            try {
                TransactionManager tm = ls.transactionManager();
                for (int t = 0; t < TRANSACTIONS; t++) {
                    boolean onePhase = t % 9 == 4;
                    boolean heuristic = t % 23 == 7;
                    txs.add(transfer(tm, onePhase, heuristic, t));
                }
                rollsSeen = (int) ls.logStats().segmentsCreated();
            } finally {
                closeQuietly(ls);
                process.crash(); // the process exits: whatever a failed close left locked, the OS releases
            }
        }

        private Tx transfer(TransactionManager tm, boolean onePhase, boolean heuristic, int t) {
            byte[] gtrid = null;
            try {
                tm.begin();
                gtrid = ((dev.lockstep.tm.internal.coordinator.LockstepTransaction) tm.getTransaction()).gtrid();
                String hex = HexFormat.of().formatHex(gtrid);
                if (heuristic) {
                    b.heuristic.add(hex);
                }
                // Transient failures of phase two: a commit retried in the background (the decision stays open
                // across rolls), and a rollback that fails on one branch (the other is rolled back at once).
                if (t % 11 == 5) {
                    a.failFirstCommit.add(hex);
                }
                if (t % 5 == 2) {
                    b.failFirstRollback.add(hex);
                }
                tm.getTransaction().enlistResource(a.enlistable());
                if (!onePhase) {
                    tm.getTransaction().enlistResource(b.enlistable());
                }
                tm.commit();
                return new Tx(gtrid, onePhase, heuristic, Told.COMMITTED, "");
            } catch (RollbackException e) {
                return new Tx(gtrid, onePhase, heuristic, Told.ROLLED_BACK, e.getMessage());
            } catch (SystemException e) {
                return new Tx(gtrid, onePhase, heuristic, Told.UNKNOWN, e.getMessage());
            } catch (HeuristicMixedException e) {
                return new Tx(gtrid, onePhase, heuristic, Told.HEURISTIC, e.getMessage());
            } catch (Exception e) {
                return new Tx(gtrid, onePhase, heuristic, Told.OTHER, String.valueOf(e));
            } finally {
                try {
                    if (tm.getTransaction() != null) {
                        tm.rollback();
                    }
                } catch (Exception ignored) {
                    // checked below through the resources
                }
            }
        }

        /** A second start of the node, and recoveries beside it until nothing is in doubt. */
        void restartAndRecover(SimDisk on, SweepResource ra, SweepResource rb, String owner) {
            Lockstep p2 = null;
            SimDisk.Process process = on.process(owner);
            try {
                p2 = build(process, RecordCodec.FORMAT_VERSION);
            } catch (RuntimeException e) {
                process.crash(); // a fault while opening: the node is down; recovery works alone
            }
            try {
                for (int pass = 0; pass < 4; pass++) {
                    if (recoverOnce(on, ra, rb, "recovery-" + pass)) {
                        return;
                    }
                }
                problems.add("still in doubt after 4 recoveries: a=" + ra.inDoubt() + " b=" + rb.inDoubt());
            } finally {
                closeQuietly(p2);
                process.crash();
            }
        }

        /** One recovery process: a scan, the operator's resolve of what it reports as heuristic; true once done. */
        private boolean recoverOnce(SimDisk on, SweepResource ra, SweepResource rb, String owner) {
            SimDisk.Process process = on.process(owner);
            try (Recovery r = Recovery.builder().logDirectory(dir).nodeId(NODE).resource(ra).resource(rb)
                    .orphanSafetyInterval(Duration.ofSeconds(30)).logStorage(process).build()) {
                ScanReport report = r.scan();
                for (InDoubtTransaction t : report.inDoubt()) {
                    if (!t.heuristics().isEmpty()) {
                        try {
                            r.resolve(t.gtrid(), Verdict.COMMIT);
                        } catch (RuntimeException e) {
                            // a fault inside the resolve: the next recovery tries again
                        }
                    }
                }
                return report.logProblems().isEmpty() && ra.inDoubt().isEmpty() && rb.inDoubt().isEmpty()
                        && r.scan().inDoubt().isEmpty();
            } catch (RuntimeException e) {
                return false; // a fault while locking or scanning: the next recovery tries again
            } finally {
                process.crash();
            }
        }

        private Lockstep build(dev.lockstep.tm.internal.log.LogStorage storage, int formatVersion) {
            Lockstep.Builder b = Lockstep.builder().nodeId(NODE).logDirectory(dir).parallelPhases(false)
                    .drainTimeout(Duration.ZERO);
            return TestAccess.testSegments(TestAccess.logStorage(b, storage), 4096, Runnable::run, formatVersion)
                    .build();
        }

        List<String> check() {
            checkOutcomes(a, b, "as the processes left the disk");
            checkRetired(disk, "as the processes left the disk");
            if (failAt >= 0) {
                Random random = new Random(failAt * 31 + mode.ordinal());
                for (SimDisk image : afterP1.crashImages(random, IMAGES)) {
                    SweepResource ia = aAfterP1.copy();
                    SweepResource ib = bAfterP1.copy();
                    restartAndRecover(image, ia, ib, "p2-after-power-loss");
                    checkOutcomes(ia, ib, "after a power loss");
                    checkRetired(image, "after a power loss");
                    imagesChecked++;
                }
            }
            return problems;
        }

        private void checkOutcomes(SweepResource ra, SweepResource rb, String where) {
            for (Tx tx : txs) {
                if (tx.gtrid() == null) {
                    continue;
                }
                if (tx.told() == Told.OTHER) {
                    problems.add(where + ": the application got " + tx.detail());
                    continue;
                }
                SweepResource.State sa = ra.state(tx.gtrid(), 1);
                SweepResource.State sb = tx.onePhase() ? sa : rb.state(tx.gtrid(), 2);
                String id = HexFormat.of().formatHex(tx.gtrid()) + " (told " + tx.told() + ")";
                if (sa == SweepResource.State.PREPARED || sb == SweepResource.State.PREPARED) {
                    problems.add(where + ": " + id + " left prepared: a=" + sa + " b=" + sb);
                    continue;
                }
                boolean ca = sa == SweepResource.State.COMMITTED;
                boolean cb = sb == SweepResource.State.COMMITTED || (tx.heuristic() && sb != null
                        && sb != SweepResource.State.ROLLED_BACK);
                if (!tx.heuristic() && ca != cb) {
                    problems.add(where + ": " + id + " split: a=" + sa + " b=" + sb);
                }
                if (tx.told() == Told.COMMITTED && !(ca && cb)) {
                    problems.add(where + ": " + id + " returned normally but is not committed: a=" + sa + " b=" + sb);
                }
                if (tx.told() == Told.ROLLED_BACK && committedInLog.contains(HexFormat.of().formatHex(tx.gtrid()))) {
                    problems.add(where + ": " + id + " was told rolled back but its COMMIT record is in the log");
                }
                if (tx.told() == Told.ROLLED_BACK && (ca || (cb && !tx.heuristic()))) {
                    problems.add(where + ": " + id + " was told rolled back but committed: a=" + sa + " b=" + sb
                            + " (" + tx.detail() + ")");
                }
                if (tx.told() == Told.HEURISTIC && !tx.heuristic()) {
                    problems.add(where + ": " + id + " reported a heuristic no resource made: " + tx.detail());
                }
            }
            if (!ra.inDoubt().isEmpty() || !rb.inDoubt().isEmpty()) {
                problems.add(where + ": left in doubt: a=" + ra.inDoubt() + " b=" + rb.inDoubt());
            }
        }

        /** Nothing of p1's incarnation is left once nothing in it is open, but its (unlocked) lock file. */
        private void checkRetired(SimDisk on, String where) {
            if (p1Incarnation < 0) {
                return;
            }
            for (Path f : on.files(LogLayout.nodeDirectory(dir, NODE))) {
                if (LogLayout.incarnationOf(f).orElse(-1) == p1Incarnation
                        && !f.getFileName().toString().endsWith(".lock")) {
                    problems.add(where + ": incarnation 1 is not retired: " + f + " is left");
                    return;
                }
            }
        }
    }

    private static void closeQuietly(Lockstep ls) {
        if (ls == null) {
            return;
        }
        try {
            ls.close();
        } catch (RuntimeException e) {
            // the log failed under it: closing reports that, and the process stops anyway
        }
    }
}
