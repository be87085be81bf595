package dev.lockstep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.bench.micro.Adapter;
import dev.lockstep.bench.micro.Workload;
import dev.lockstep.bench.real.RealAdapter;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every adapter for a very short trial, in its own JVM as in a real run, the real-resource workload on the test
 * harness's servers on one thread, then the report and its charts. Proves that every system still runs and passes
 * the validity checks, and that the report is written; the numbers themselves mean nothing here.
 */
class HarnessSmokeTest {

    @Test
    void everyAdapterRunsValidlyAndTheReportIsWritten(@TempDir Path out) throws Exception {
        BenchOptions o = BenchOptions.parse(new String[] {"--repeats=1", "--threads=1,4", "--real-threads=1",
                "--window=100ms", "--warmup=100ms", "--first-warmup=100ms", "--real-window=1s", "--pool-size=2",
                "--out=" + out, "--work=target/bench-smoke", "--command=HarnessSmokeTest",
                "--note=smoke test", "--adapters=" + Adapter.ids(List.of(Adapter.values()))});
        o.jvmPerAdapter = true;

        Results r = Bench.run(o);

        assertEquals(List.of(), r.invalidCells());
        assertEquals(List.of(), r.failures());
        for (Adapter a : Adapter.values()) {
            for (Workload w : Workload.values()) {
                for (int t : o.threads) {
                    if (a.runs(w) && o.adapters.contains(a)) {
                        assertTrue(r.valid(a.id(), w.id(), t), a.id() + " " + w.id() + " " + t);
                        assertTrue(r.median(a.id(), w.id(), t, "tps") > 0, a.id() + " " + w.id() + " " + t);
                    } else {
                        assertFalse(r.has(a.id(), w.id(), t), a.id() + " " + w.id() + " " + t);
                    }
                }
            }
        }
        List<String> real = new ArrayList<>(List.of("branch-postgresql", "branch-mariadb", "branch-artemis",
                "branch-all-sequential"));
        for (RealAdapter a : RealAdapter.values()) {
            if (a.kind() != RealAdapter.Kind.BRANCHES) {
                real.add(a.cell());
                assertTrue(r.median(a.cell(), "real", 1, "cpuUsPerTx") > 0, a.cell());
            }
        }
        for (String cell : real) {
            assertTrue(r.valid(cell, "real", 1), cell);
            assertTrue(r.median(cell, "real", 1, "commitP50us") > 0, cell);
        }
        // Lockstep's own counters agree with the resources: one forced COMMIT per two-phase transaction at most.
        assertTrue(r.median("lockstep", "2pc", 1, "ctr.logForces") >= 1);
        // The database adapters: the ceiling commits one row per transaction, Lockstep at most one statement per
        // transaction (fewer once batched), Narayana at least two commits (write the log record, remove it).
        double rows = r.median("ceiling-pg-row", "2pc", 1, "ctr.tx");
        double xids = r.median("ceiling-pg-row", "2pc", 1, "ctr.serverXids");
        assertTrue(Math.abs(xids - rows) <= 2 + rows / 50, rows + " rows committed, " + xids + " xids");
        assertTrue(r.median("lockstep-pgstore", "2pc", 4, "ctr.logForces")
                <= r.median("lockstep-pgstore", "2pc", 4, "ctr.committed"));
        assertTrue(r.median("narayana-jdbcstore", "2pc", 1, "ctr.dbCommits")
                >= 2 * r.median("narayana-jdbcstore", "2pc", 1, "ctr.tx"));

        String md = Files.readString(out.resolve(Report.FILE));
        for (String expected : List.of("> smoke test", "`HarnessSmokeTest`", "## The targets of issue 5",
                "## Machine", "## Versions", "| narayana-jta | 7.3.4.Final |", "## Two-phase commit",
                "## One-phase commit", "## Read-only", "## Real resources", "| *Lockstep ÷ Narayana, file store* |",
                "| 1. TM only, 1 thread: Lockstep ≥ 1.1× the floor's tx/s |", "| Atomikos, TM only | 1 |",
                "ceiling: forced append, group commit", "HornetqObjectStoreAdaptor", "com.atomikos.icatch.log_base_dir",
                "## Decisions in PostgreSQL (issue 13)", "1 thread: two-phase commit latency ≤ 1.3× one "
                + "insert-and-commit", "| *Lockstep, PostgreSQL ÷ Narayana, JDBC store on PostgreSQL* |",
                "objectstore.jdbc.JDBCStore",
                "](" + Report.CHART_2PC + ")", "](" + Report.CHART_REAL + ")", "Every cell of this run was valid.")) {
            assertTrue(md.contains(expected), "performance.md lacks: " + expected + "\n" + md);
        }
        assertFalse(md.contains("${"), "an unfiltered version in performance.md");
        for (String chart : List.of(Report.CHART_2PC, Report.CHART_REAL)) {
            BufferedImage png = ImageIO.read(out.resolve(chart).toFile());
            assertEquals(900, png.getWidth(), chart);
        }
    }
}
