package dev.lockstep.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.bench.trial.Fields;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real-resource section of the report from made-up results: the tables, the ratios to the floor, issue 15. */
class RealReportTest {

    @Test
    void issue15TargetsAreJudgedOnTheMediansAgainstTheFloor(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        // system, threads, tx/s, commit p50 µs, CPU µs/tx
        lines.add(cell("real-floor", 1, 50, 6000, 900));
        lines.add(cell("real-floor", 4, 150, 7000, 800));
        lines.add(cell("real-floor", 16, 100, 9000, 1000));
        lines.add(cell("real-lockstep-raw", 1, 60, 5000, 1000));
        lines.add(cell("real-lockstep-raw", 4, 140, 7500, 900));
        lines.add(cell("real-lockstep-raw", 16, 96, 9500, 1200));
        lines.add(cell("real-lockstep", 1, 50, 5000, 1500));
        lines.add(cell("real-lockstep", 4, 130, 8000, 1300));
        lines.add(cell("real-lockstep", 16, 95, 9900, 1400));
        lines.add(cell("branch-all-sequential", 1, 40, 7000, 800));
        Path out = dir.resolve("results.out");
        Files.write(out, lines);
        BenchOptions o = BenchOptions.parse(new String[] {"--no-micro", "--real-adapters=floor,lockstep-raw,lockstep,"
                + "branches", "--out=" + dir.resolve("docs"), "--work=" + dir.resolve("work")});
        Results r = new Results();
        r.read(out, 1);

        Report.write(o, r, Instant.now(), Duration.ofSeconds(1), dir);

        String md = Files.readString(dir.resolve("docs").resolve(Report.FILE));
        for (String expected : List.of(
                "| Lockstep, TM only | 16 | 96 | 12.00 | 13.00 | 9.50 | 10.50 | 1,200 |",
                "| ÷ floor (XA by hand in sequence) | 1 thread: tx/s | CPU/tx | 4 threads: tx/s | CPU/tx | 16 threads: "
                        + "tx/s | CPU/tx |",
                "| Lockstep with its pools | 1.00× | 1.67× | 0.87× | 1.63× | 0.95× | 1.40× |",
                "| 1. TM only, 16 threads: Lockstep ≥ 0.95× the floor's tx/s | 0.96× (96 vs 100 tx/s) | yes |",
                "| 1. TM only, 16 threads: Lockstep ≤ 1.1× the floor's client CPU per transaction | 1.20× (1,200 vs "
                        + "1,000 µs) | **no** |",
                "| 1. TM only, 1 thread: Lockstep ≥ 1.1× the floor's tx/s | 1.20× (60 vs 50 tx/s) | yes |",
                "| 2. 1 thread: Lockstep with its pools ≥ 0.9× Lockstep TM only | 0.83× (50 vs 60 tx/s) | **no** |",
                "| 2. 16 threads: Lockstep with its pools ≥ 0.9× Lockstep TM only | 0.99× (95 vs 96 tx/s) | yes |",
                "| 2. 1 thread: Lockstep with its pools, commit() p50 ≤ 0.8× the three branches by hand in sequence "
                        + "| 0.71× (5.00 vs 7.00 ms) | yes |")) {
            assertTrue(md.contains(expected), "performance.md lacks: " + expected + "\n" + md);
        }
        // Systems not run have no rows; the pooled peer's ratio line needs Narayana with its pools.
        assertFalse(md.contains("Atomikos, TM only |"), md);
        assertFalse(md.contains("Lockstep ÷ Narayana + Agroal"), md);
    }

    private static String cell(String adapter, int threads, double tps, double commitP50us, double cpuUsPerTx) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("kind", "cell");
        f.put("adapter", adapter);
        f.put("workload", "real");
        f.put("threads", threads);
        f.put("tps", tps);
        f.put("latP50us", commitP50us + 2500);
        f.put("latP99us", commitP50us + 3500);
        f.put("commitP50us", commitP50us);
        f.put("commitP99us", commitP50us + 1000);
        f.put("cpuUsPerTx", cpuUsPerTx);
        f.put("valid", true);
        return Fields.format(f);
    }
}
