package dev.lockstep.tm.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.TestAccess;
import dev.lockstep.tm.internal.coordinator.LockstepTransaction;
import dev.lockstep.tm.log.RecordCodec;
import dev.lockstep.tm.testing.SimDisk;
import dev.lockstep.tm.testing.SimDisk.FailMode;
import dev.lockstep.tm.testing.SimDisk.Op;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The storage-fault rows of docs/failure-matrix.md: one storage operation of a transaction's commit fails, and
 * what that commit, the next one, and a recovery after the process stopped make of it. {@link StorageFaultSweepTest}
 * fails every operation of a long run in turn and checks the invariants; this table names the outcome at the
 * operations that show each case.
 *
 * <p>Scenario of every row: a transaction manager on a simulated disk with 4 KiB segments commits two-branch
 * transactions; the row's operation fails during transaction {@code T} (the first one in which it happens); then one
 * more transaction; then the process stops and a recovery scans. The modes: {@code before} (the call has no effect),
 * {@code after} (its effect happened, then it reported the error), {@code torn} (half the bytes were written).
 * The reclamation rows run a writer of log format version 2, which deletes every reclaimed segment; one of version 3
 * keeps a few as spares to recycle and deletes (through the same code) only the rest, so a short run never deletes.
 */
public class StorageFaultMatrixTest {

    enum Where {
        COMMIT_WRITE("the write of the batch holding T's COMMIT", Op.WRITE, p -> p.endsWith(".seg"), 2),
        COMMIT_FORCE("the force of that batch", Op.FORCE, p -> p.endsWith(".seg"), 2),
        ROLL_MANIFEST("the rename of the new manifest at a segment roll inside T's batch", Op.REPLACE_RENAME,
                p -> p.endsWith(".manifest"), 1),
        RECLAIM_DELETE("the deletion of an old segment after T's batch was forced", Op.DELETE,
                p -> p.endsWith(".seg"), 1, RecordCodec.VERSION_ZEROED),
        RECLAIM_DIRECTORY("the directory force after that deletion", Op.FORCE_DIRECTORY, p -> true, 1,
                RecordCodec.VERSION_ZEROED);

        final String what;
        final Op op;
        final Predicate<String> path;
        /** The transaction in which to look for it, at the earliest. */
        final int from;
        /** The log format the process writes. */
        final int version;

        Where(String what, Op op, Predicate<String> path, int from) {
            this(what, op, path, from, RecordCodec.FORMAT_VERSION);
        }

        Where(String what, Op op, Predicate<String> path, int from, int version) {
            this.what = what;
            this.op = op;
            this.path = path;
            this.from = from;
            this.version = version;
        }
    }

    record Row(Where where, FailMode mode, String commit, String next, String recovery) {
        @Override
        public String toString() {
            return where + " " + mode;
        }
    }

    private static final String UNKNOWN = "SystemException LKS-133 (outcome unknown)";
    private static final String REFUSED = "RollbackException (the log is poisoned)";

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row(Where.COMMIT_WRITE, FailMode.BEFORE, UNKNOWN, REFUSED, "rolled back"));
        rows.add(new Row(Where.COMMIT_WRITE, FailMode.TORN, UNKNOWN, REFUSED, "rolled back"));
        rows.add(new Row(Where.COMMIT_WRITE, FailMode.AFTER, UNKNOWN, REFUSED, "committed"));
        rows.add(new Row(Where.COMMIT_FORCE, FailMode.BEFORE, UNKNOWN, REFUSED, "committed"));
        rows.add(new Row(Where.COMMIT_FORCE, FailMode.AFTER, UNKNOWN, REFUSED, "committed"));
        rows.add(new Row(Where.ROLL_MANIFEST, FailMode.BEFORE, UNKNOWN, REFUSED, "rolled back"));
        rows.add(new Row(Where.ROLL_MANIFEST, FailMode.AFTER, UNKNOWN, REFUSED, "rolled back"));
        rows.add(new Row(Where.RECLAIM_DELETE, FailMode.BEFORE, "committed", "committed", "committed"));
        rows.add(new Row(Where.RECLAIM_DELETE, FailMode.AFTER, "committed", "committed", "committed"));
        rows.add(new Row(Where.RECLAIM_DIRECTORY, FailMode.BEFORE, "committed", "committed", "committed"));
        rows.add(new Row(Where.RECLAIM_DIRECTORY, FailMode.AFTER, "committed", "committed", "committed"));
        return rows;
    }

    static Stream<Row> matrix() {
        return rows().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void row(Row row) throws Exception {
        Run baseline = new Run(-1, null, row.where.version);
        List<long[]> ops = new ArrayList<>(); // {index, transaction}
        List<Op> kinds = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        baseline.disk.listener((index, op, path) -> {
            ops.add(new long[] {index, baseline.current});
            kinds.add(op);
            paths.add(String.valueOf(path));
        });
        baseline.run(40);
        baseline.disk.listener(null);
        int at = -1;
        for (int i = 0; i < ops.size() && at < 0; i++) {
            if (kinds.get(i) == row.where.op && ops.get(i)[1] >= row.where.from && row.where.path.test(paths.get(i))
                    && (row.where != Where.RECLAIM_DIRECTORY || i > 0 && kinds.get(i - 1) == Op.DELETE)) {
                at = i;
            }
        }
        assertTrue(at >= 0, row.where + ": the run never did " + row.where.what);
        int t = (int) ops.get(at)[1];

        Run run = new Run(ops.get(at)[0], row.mode, row.where.version);
        run.run(t + 2);
        assertEquals(row.commit, run.told.get(t), row + ": what commit() of T said");
        assertEquals(row.next, run.told.get(t + 1), row + ": what the next commit() said");
        run.recover();
        assertEquals(row.recovery, run.outcome(t), row + ": T after recovery");
        assertEquals(run.outcome(t + 1).equals("committed"), row.next.equals("committed"),
                row + ": the next transaction after recovery");
    }

    /** One process's run, then a recovery. */
    private final class Run {
        final SimDisk disk = new SimDisk();
        final SweepResource a = new SweepResource("a");
        final SweepResource b = new SweepResource("b");
        final List<String> told = new ArrayList<>();
        final List<byte[]> gtrids = new ArrayList<>();
        volatile long current = -1;
        final int version;

        Run(long failAt, FailMode mode, int version) {
            this.version = version;
            if (failAt >= 0) {
                disk.failAt(failAt, mode);
            }
        }

        void run(int transactions) throws Exception {
            SimDisk.Process process = disk.process("tm");
            Lockstep.Builder builder = Lockstep.builder().nodeId("matrix").logDirectory(dir).parallelPhases(false)
                    .drainTimeout(Duration.ZERO);
            try (Lockstep ls = TestAccess.testSegments(TestAccess.logStorage(builder, process), 4096, Runnable::run,
                    version).build()) {
                TransactionManager tm = ls.transactionManager();
                for (int t = 0; t < transactions; t++) {
                    current = t;
                    tm.begin();
                    gtrids.add(((LockstepTransaction) tm.getTransaction()).gtrid());
                    tm.getTransaction().enlistResource(a.enlistable());
                    tm.getTransaction().enlistResource(b.enlistable());
                    try {
                        tm.commit();
                        told.add("committed");
                    } catch (SystemException e) {
                        told.add(e.getMessage().startsWith("LKS-133") ? UNKNOWN : e.toString());
                    } catch (RollbackException e) {
                        told.add(e.getMessage().contains("could not be written") ? REFUSED : e.toString());
                    }
                }
            } catch (RuntimeException e) {
                // closing a poisoned log reports it; the process stops anyway
            } finally {
                process.crash();
            }
        }

        void recover() {
            try (Recovery r = Recovery.builder().logDirectory(dir).nodeId("matrix").resource(a).resource(b)
                    .logStorage(disk.process("recovery")).build()) {
                r.scan();
            }
        }

        String outcome(int t) {
            SweepResource.State sa = a.state(gtrids.get(t), 1);
            SweepResource.State sb = b.state(gtrids.get(t), 2);
            if (sa == SweepResource.State.COMMITTED && sb == SweepResource.State.COMMITTED) {
                return "committed";
            }
            if (sa != SweepResource.State.COMMITTED && sb != SweepResource.State.COMMITTED
                    && sa != SweepResource.State.PREPARED && sb != SweepResource.State.PREPARED) {
                return "rolled back";
            }
            return "a=" + sa + " b=" + sb;
        }
    }

    @org.junit.jupiter.api.io.TempDir
    Path dir;

    /** The storage-fault section of docs/failure-matrix.md. */
    public static String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("\n## The decision log's storage fails during a commit\n\n")
          .append("Rendered from `StorageFaultMatrixTest`: a transaction manager on a simulated disk (`SimDisk`, 4 KiB\n")
          .append("segments) commits two-branch transactions; the named storage operation fails during transaction T;\n")
          .append("then one more transaction commits; then the process stops and recovery scans. `before`: the call had\n")
          .append("no effect; `after`: its effect happened, then it reported the error; `torn`: half its bytes were\n")
          .append("written. A COMMIT whose write or force failed may or may not be on disk, so the transaction manager\n")
          .append("rolls nothing back and says the outcome is unknown; recovery then decides by what the disk holds.\n")
          .append("The last column is for a process that stopped, where the page cache survives; after a power loss a\n")
          .append("COMMIT whose force failed may be gone as well, and then recovery rolls back, on every branch alike.\n")
          .append("A failed clean-up of old segments never fails a commit: it is logged (LKS-181) and tried again.\n")
          .append("`StorageFaultSweepTest` fails every operation of a long run in turn, each mode, and checks the\n")
          .append("invariants after each, also after a power loss (crash images of the disk).\n\n")
          .append("| operation | fails | commit() of T | the next commit() | T after recovery |\n|---|---|---|---|---|\n");
        for (Row r : rows()) {
            sb.append("| ").append(r.where.what).append(" | ").append(r.mode.name().toLowerCase(java.util.Locale.ROOT))
              .append(" | ").append(r.commit).append(" | ").append(r.next).append(" | ").append(r.recovery)
              .append(" |\n");
        }
        return sb.toString();
    }
}
