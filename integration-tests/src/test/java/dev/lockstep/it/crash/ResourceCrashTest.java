package dev.lockstep.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.it.servers.ManagedServer;
import dev.lockstep.it.servers.Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The resources' side of docs/design.md section 3: a resource dies by {@code kill -9} during phase two, comes back, and
 * the outcome is the decision, committed everywhere.
 *
 * <pre>
 * Scenario, one row per resource x finisher:
 *   resources   PostgreSQL, MariaDB, Artemis (PausedPhaseTwoApp in a child JVM, one Lockstep over the three)
 *   before      2 transfers committed normally
 *   fault       the third transfer stops right after its COMMIT record is forced (C4); the test sees its three
 *               branches prepared, kills the victim server (kill -9, backends too), then lets phase two run:
 *               the victim's commit fails, the others commit, and commit() returns normally (invariant 6)
 *   finisher    APP:      the app stays up; its background retries (through the registered resources) commit the
 *                         victim's branch once the server is restarted, then the app closes; a scan of the
 *                         recovery service afterwards finds nothing to do
 *               SERVICE:  the app is killed too (kill -9) while its retries are pending; a scan of the recovery
 *                         service while the victim is still down leaves the decision in doubt (exit 1, nothing
 *                         rolled back); after the restart a second scan commits the branch, ends the decision
 *                         (exit 0)
 *   expected    Checker: no branch of the run in any recover() list, the 3 transfers in PostgreSQL, MariaDB and on
 *               the queue exactly once each, balances consistent
 * </pre>
 *
 * The test keeps a reference to the victim's server object across kill and restart: {@code Servers.*} would
 * restart a killed server on the next call, so nothing here asks for the servers while the victim is down.
 */
class ResourceCrashTest {

    private static final int BEFORE = 2;
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final List<String> SUMMARY = new ArrayList<>();
    /** An XA code as Lockstep prints it, e.g. {@code XAER_RMFAIL(-7)}. */
    private static final Pattern XA_CODE = Pattern.compile("\\b(XA[A-Z_]*\\(-?\\d+\\))");

    /** The server killed in phase two: its resource name, the name XaBranches gives it, and the harness' server. */
    enum Victim {
        POSTGRESQL(Endpoints.PG_RESOURCE, "postgresql", "pg", Servers::postgres),
        MARIADB(Endpoints.MARIA_RESOURCE, "mariadb", "my", Servers::mariadb),
        ARTEMIS(Endpoints.JMS_RESOURCE, "artemis", "mq", Servers::artemis);

        final String resource;
        final String server;
        final String tag;
        private final Supplier<ManagedServer> harness;

        Victim(String resource, String server, String tag, Supplier<ManagedServer> harness) {
            this.resource = resource;
            this.server = server;
            this.tag = tag;
            this.harness = harness;
        }

        /** The harness' running server (restarted if an earlier test left it dead). */
        ManagedServer server() {
            return harness.get();
        }
    }

    /** Who finishes the decision once the victim is back. */
    enum Finisher {
        APP("app"), SERVICE("svc");

        final String tag;

        Finisher(String tag) {
            this.tag = tag;
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Victim v : Victim.values()) {
            for (Finisher f : Finisher.values()) {
                cases.add(Arguments.of(v, f));
            }
        }
        return cases.stream();
    }

    private Endpoints all;

    @BeforeEach
    void cleanSlate() throws Exception {
        all = Endpoints.ofHarness(true); // restarts a server an earlier, failed test left dead
        CrashRuns.cleanSlate(all);
    }

    @AfterAll
    static void printSummary() {
        System.out.println("[resource-crash] victim x finisher -> outcome\n  " + String.join("\n  ", SUMMARY));
    }

    @ParameterizedTest(name = "kill -9 of {0} in phase two, finished by {1}")
    @MethodSource("cases")
    void theDecisionSurvivesAResourceKilledInPhaseTwo(Victim victim, Finisher finisher) throws Exception {
        ManagedServer server = victim.server();
        String node = CrashRuns.nodeId("rc-" + victim.tag + "-" + finisher.tag);
        Path dir = CrashRuns.runDir(node);
        Path log = dir.resolve("log");
        Path gate = dir.resolve("gate");
        TransferTables.openAccounts(all, node, Workload.ACCOUNTS, Workload.INITIAL);
        RecoveryServiceProcess service = new RecoveryServiceProcess(dir.resolve("service"), log, List.of(node), all);
        long killedAt;
        long finishedAt;
        String codes;
        String how;
        try (ChildJvm app = ChildJvm.start(PausedPhaseTwoApp.class,
                PausedPhaseTwoApp.args(node, log, all, gate, BEFORE), dir.resolve("app.out"))) {
            app.awaitLine(PausedPhaseTwoApp.PAUSED, STEP);
            List<XaBranches.Branch> prepared = XaBranches.list(all, node::equals);
            assertEquals(List.of("postgresql", "mariadb", "artemis"),
                    prepared.stream().map(XaBranches.Branch::server).toList(),
                    "at C4 every branch of the paused transfer is prepared: " + prepared);

            server.kill();
            killedAt = System.nanoTime();
            Files.createFile(gate);
            String returned = app.awaitLine(PausedPhaseTwoApp.COMMIT_RETURNED, STEP);
            assertEquals("1", Logfmt.parse(returned).get("pending"),
                    "phase two must have failed on the killed " + victim + " only, the branch retried in the "
                            + "background: " + returned + "\n" + app.tail());
            // At least one background retry has met the dead server before it comes back.
            awaitLine(app, l -> l.startsWith(PausedPhaseTwoApp.SETTLING) && intOf(l, "retries") >= 1, STEP);

            if (finisher == Finisher.APP) {
                server.restart();
                String settled = app.awaitLine(PausedPhaseTwoApp.SETTLED, STEP);
                finishedAt = System.nanoTime();
                assertEquals(0, intOf(settled, "heuristic"), settled + "\n" + app.tail());
                assertEquals(0, app.awaitExit(STEP), app.tail());
                // The app's own END closed the decision: the service finds nothing to do.
                RecoveryServiceProcess.Result after = service.run(STEP, "scan");
                assertEquals(RecoveryServiceProcess.OK, after.exitCode(), after.describe());
                assertNoEvents(after, "commit", "rollback", "heuristic", "error");
                how = "app retries=" + intOf(settled, "retries");
            } else {
                assertEquals(ChildJvm.SIGKILL_EXIT, app.kill9(), "the app dies by SIGKILL");
                RecoveryServiceProcess.Result down = service.run(STEP, "scan");
                assertEquals(RecoveryServiceProcess.IN_DOUBT, down.exitCode(),
                        "while " + victim + " is down the decision stays in doubt:\n" + down.describe());
                assertNoEvents(down, "rollback", "heuristic", "retire");
                assertTrue(events(down, "end").stream().noneMatch(e -> "true".equals(e.get("ok"))),
                        "no END while a branch is unreachable:\n" + down.describe());

                server.restart();
                RecoveryServiceProcess.Result up = service.run(STEP, "scan");
                finishedAt = System.nanoTime();
                assertEquals(RecoveryServiceProcess.OK, up.exitCode(), up.describe());
                assertNoEvents(up, "rollback", "heuristic", "error");
                List<Map<String, String>> commits = events(up, "commit");
                assertEquals(1, commits.size(), "one branch left to commit:\n" + up.describe());
                assertEquals(Map.of("ok", "true", "node", node, "resource", victim.resource),
                        pick(commits.get(0), "ok", "node", "resource"), up.describe());
                assertTrue(events(up, "end").stream().anyMatch(e -> "true".equals(e.get("ok"))), up.describe());
                how = "service (scan while down: exit " + down.exitCode() + " in " + down.millis() + " ms, engine "
                        + down.scanMillis() + " ms; scan after restart: exit " + up.exitCode() + " in " + up.millis()
                        + " ms, engine " + up.scanMillis() + " ms)";
            }
            codes = phaseTwoCodes(app.output());
        }

        Checker.Report report = Checker.forRun(all, node, true).check();
        assertTrue(report.ok(), report.toString());
        assertEquals(BEFORE + 1, report.committed(), report.toString());
        assertEquals(Checker.Outcome.COMMITTED, report.outcomeOf(PausedPhaseTwoApp.pausedId(node)), report.toString());
        SUMMARY.add(String.format("%-10s x %-7s -> committed everywhere, %d ms from kill to finished by %s; "
                + "codes seen by the app: %s", victim, finisher, (finishedAt - killedAt) / 1_000_000, how, codes));
    }

    private static void assertNoEvents(RecoveryServiceProcess.Result r, String... kinds) {
        for (String kind : kinds) {
            List<Map<String, String>> found = events(r, kind);
            if (!found.isEmpty()) {
                fail("unexpected event=" + kind + " " + found + ":\n" + r.describe());
            }
        }
    }

    /** The service's events of one kind, from standard output and standard error (errors go there). */
    static List<Map<String, String>> events(RecoveryServiceProcess.Result r, String kind) {
        return r.allEvents().stream().filter(e -> kind.equals(e.get("event"))).toList();
    }

    private static Map<String, String> pick(Map<String, String> event, String... keys) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : keys) {
            if (event.containsKey(k)) {
                m.put(k, event.get(k));
            }
        }
        return m;
    }

    private static int intOf(String line, String key) {
        String v = Logfmt.parse(line).get(key);
        return v == null ? -1 : Integer.parseInt(v);
    }

    /** The XA code names in the app's phase-two log lines (LKS-140: first attempt failed, LKS-142: heuristic). */
    private static String phaseTwoCodes(String output) {
        TreeSet<String> codes = new TreeSet<>();
        for (String line : output.lines().toList()) {
            if (line.contains("LKS-140") || line.contains("LKS-142") || line.contains("LKS-131")) {
                Matcher m = XA_CODE.matcher(line);
                while (m.find()) {
                    codes.add(m.group(1));
                }
                if (!line.contains("XA")) {
                    codes.add(line.length() > 160 ? line.substring(0, 160) + "..." : line);
                }
            }
        }
        return codes.isEmpty() ? "(none logged)" : codes.toString();
    }

    /** Waits for an output line of the child that {@code test} accepts. */
    private static String awaitLine(ChildJvm app, Predicate<String> test, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String line : app.output().lines().toList()) {
                if (test.test(line)) {
                    return line;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("child " + app.pid() + " printed no expected line within "
                        + timeout.toSeconds() + " s; output:\n" + app.tail());
            }
            Thread.sleep(20);
        }
    }
}
