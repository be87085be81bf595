package dev.lockstep.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.spi.CrashPoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/design.md section 3, one row per crash point and resource set.
 *
 * <p>Scenario: a TransferApp in its own JVM (PostgreSQL + MariaDB, or + Artemis) commits one transfer, then halts
 * ({@code Runtime.halt}, like kill -9) when the next transfer reaches crash point X. Then the recovery service jar
 * runs {@code scan} once, as its own process, on the node's log and every server.
 *
 * <p>Expected: the halt leaves as many branches prepared as the point says (C1: none; C2: the first; C3, C4, C7: all;
 * C5: all but the first; C6: none); the scan exits 0; the Checker finds nothing in doubt and every transfer in all
 * resources or none, each message delivered once; the crashed transfer is rolled back everywhere for C1–C3,
 * committed everywhere for C4–C6, and for C7 has one outcome, the same everywhere; the transfer before it stays
 * committed; the dead incarnation's log files are gone (its decisions ended, the log retired).
 *
 * <p>Writes the matrix (point × resources → outcome, recovery time) to stdout and to
 * {@code target/crash-matrix.md}.
 */
class CrashPointSuiteTest {

    private static final Map<String, String> MATRIX = new TreeMap<>();
    private static Endpoints all;

    @BeforeAll
    static void servers() {
        RecoveryServiceProcess.jar(); // fail fast, with how to build it
        all = Endpoints.ofHarness(true);
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (CrashPoint p : CrashPoint.values()) {
            cases.add(Arguments.of(p, 2));
            cases.add(Arguments.of(p, 3));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} with {1} resources")
    @MethodSource("cases")
    void recoveryFinishesTheCrashedTransferAsDesignSectionThreeSays(CrashPoint point, int resources)
            throws Exception {
        String key = point.name().substring(0, 2) + " " + resources;
        try {
            run(point, resources, key);
        } catch (Throwable t) {
            MATRIX.putIfAbsent(key, row(point, resources, "FAILED: " + firstLine(t), "", "", "", "", ""));
            throw t;
        }
    }

    private void run(CrashPoint point, int resources, String key) throws Exception {
        CrashRuns.cleanSlate(all);
        TransferRun run = TransferRun.open(point.name().substring(0, 2).toLowerCase() + "-" + resources + "r", all,
                resources);

        try (ChildJvm app = run.crash(point, 1)) {
            assertEquals(TransferApp.HALTED, app.awaitExit(Duration.ofSeconds(60)),
                    "the app must halt at " + point + ":\n" + app.tail());
            assertTrue(app.output().contains(TransferApp.HALT + " point=" + point.name()), app.tail());
        }
        Checker checker = run.checker();
        List<XaBranches.Branch> before = checker.inDoubt();
        int expectedPrepared = switch (point) {
            case C1_BEFORE_PREPARE, C6_ALL_COMMITTED -> 0;
            case C2_SOME_PREPARED -> 1;
            case C5_SOME_COMMITTED -> resources - 1;
            case C3_ALL_PREPARED, C4_DECISION_FORCED, C7_MID_RECORD -> resources;
        };
        assertEquals(expectedPrepared, before.size(), "branches the halt at " + point + " left prepared: " + before);

        RecoveryServiceProcess.Result scan = run.recovery().run(Duration.ofSeconds(90), "scan");
        assertEquals(RecoveryServiceProcess.OK, scan.exitCode(), "scan after a halt at " + point + ":\n"
                + scan.describe());

        Checker.Report report = checker.check();
        assertTrue(report.ok(), report + "\n" + scan.describe());
        assertEquals(Checker.Outcome.COMMITTED, report.outcomeOf(run.transferBefore(0)),
                "the transfer committed before the crash: " + report);
        Checker.Outcome outcome = report.outcomeOf(run.crashedTransfer());
        switch (point) {
            case C1_BEFORE_PREPARE, C2_SOME_PREPARED, C3_ALL_PREPARED ->
                    assertEquals(Checker.Outcome.ROLLED_BACK, outcome, report + "\n" + scan.describe());
            case C4_DECISION_FORCED, C5_SOME_COMMITTED, C6_ALL_COMMITTED ->
                    assertEquals(Checker.Outcome.COMMITTED, outcome, report + "\n" + scan.describe());
            case C7_MID_RECORD -> assertNotEquals(Checker.Outcome.MIXED, outcome, report.toString());
        }
        List<Path> left = run.incarnationFiles(1);
        assertEquals(List.of(), left, "the dead incarnation's log files after the scan:\n" + scan.describe());

        MATRIX.put(key, row(point, resources, outcome.name().toLowerCase().replace('_', ' '),
                Integer.toString(before.size()), actions(scan), "exit " + scan.exitCode(),
                left.isEmpty() ? "yes" : "no: " + left, scan.millis() + " (" + scan.scanMillis() + ")"));
    }

    private static String actions(RecoveryServiceProcess.Result scan) {
        Map<String, Integer> counts = new TreeMap<>();
        scan.events().forEach(e -> counts.merge(e.get("event"), 1, Integer::sum));
        StringBuilder s = new StringBuilder();
        for (String event : List.of("take_over", "commit", "rollback", "end", "retire", "heuristic", "error")) {
            Integer n = counts.remove(event);
            if (n != null) {
                s.append(s.isEmpty() ? "" : ", ").append(event).append(' ').append(n);
            }
        }
        counts.keySet().removeAll(List.of("recover_scan", "scan_done", "log"));
        counts.forEach((event, n) -> s.append(s.isEmpty() ? "" : ", ").append(event).append(' ').append(n));
        if (scan.events("take_over").stream().anyMatch(e -> e.getOrDefault("detail", "").contains("torn tail"))) {
            s.append(" (torn tail repaired)");
        }
        return s.toString();
    }

    private static String row(CrashPoint point, int resources, String outcome, String prepared, String actions,
            String exit, String reclaimed, String millis) {
        return "| " + point.name() + " | " + (resources == 3 ? "PG + MariaDB + Artemis" : "PG + MariaDB") + " | "
                + prepared + " | " + outcome + " | " + exit + " | " + actions + " | " + reclaimed + " | " + millis
                + " |";
    }

    private static String firstLine(Throwable t) {
        String m = String.valueOf(t.getMessage());
        return m.lines().findFirst().orElse(t.toString()).replace('|', '/');
    }

    @AfterAll
    static void writeMatrix() throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("# Crash matrix (docs/design.md section 3)\n\n")
                .append("A child JVM commits one transfer, halts at the point during the next, then `lockstep-recovery-"
                        + "service.jar scan` runs as its own process. Recovery ms = wall time of that process, JVM "
                        + "start included (in parentheses: the scan itself, `took_ms` of its `scan_done` line).\n\n")
                .append("| point | resources | prepared after halt | crashed transfer | scan | service actions "
                        + "| log reclaimed | recovery ms |\n")
                .append("|---|---|---:|---|---|---|---|---:|\n");
        MATRIX.values().forEach(r -> md.append(r).append('\n'));
        Path file = Path.of("target", "crash-matrix.md");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, md.toString(), StandardCharsets.UTF_8);
        System.out.println(md);
    }
}
