package dev.lockstep.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.demo.transfer.Checker;
import dev.lockstep.demo.transfer.ChildJvm;
import dev.lockstep.demo.transfer.Endpoints;
import dev.lockstep.demo.transfer.RecoveryServiceProcess;
import dev.lockstep.demo.transfer.TransferApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Scenario: a TransferApp with {@value #THREADS} threads over PostgreSQL, MariaDB and Artemis (parallel phases, as in
 * production) is killed with SIGKILL at a random moment, 0–{@value #MAX_DELAY_MILLIS} ms after its load is running;
 * then the recovery service jar runs {@code scan} once as its own process.
 *
 * <p>Expected, every trial: the scan exits 0; nothing of the node is in doubt; every transfer is in all three
 * resources or in none, each of its messages delivered once, the balances add up; and no transfer the app saw
 * commit is lost (the committed count it last printed is at most what the databases hold).
 *
 * <p>Prints each trial and a summary, also to {@code target/random-kill.md}. Trials: system property {@code lockstep.crash.trials} (default 20); the kill delays come from
 * {@code lockstep.crash.seed} (default: random, printed) so a failing sequence can be replayed.
 */
class RandomKillTest {

    static final int THREADS = 4;
    static final int MAX_DELAY_MILLIS = 1_500;

    private static final List<Long> RECOVERY_MILLIS = Collections.synchronizedList(new ArrayList<>());
    private static final List<Long> SCAN_MILLIS = Collections.synchronizedList(new ArrayList<>());
    private static final List<String> TRIALS = Collections.synchronizedList(new ArrayList<>());
    private static Endpoints all;
    private static long seed;

    @BeforeAll
    static void servers() {
        RecoveryServiceProcess.jar();
        all = Endpoints.ofHarness(true);
        seed = Long.getLong("lockstep.crash.seed", System.nanoTime());
    }

    @TestFactory
    Stream<DynamicTest> killedUnderLoadThenRecovered() {
        int trials = Integer.getInteger("lockstep.crash.trials", 20);
        Random random = new Random(seed);
        long[] delays = random.longs(trials, 0, MAX_DELAY_MILLIS + 1).toArray();
        System.out.println("[random-kill] " + trials + " trials, seed " + seed + " (-Dlockstep.crash.seed=" + seed
                + " replays the kill delays)");
        return IntStream.range(0, trials).mapToObj(i -> DynamicTest.dynamicTest(
                "trial " + (i + 1) + ": kill -9 " + delays[i] + " ms into the load", () -> trial(i + 1, delays[i])));
    }

    private void trial(int n, long delayMillis) throws Exception {
        CrashRuns.cleanSlate(all);
        TransferRun run = TransferRun.open("rk" + n, all, 3);
        long seenCommitted;
        try (ChildJvm app = run.load(THREADS, 0)) {
            app.awaitLine(TransferApp.LOAD_RUNNING, Duration.ofSeconds(60));
            Thread.sleep(delayMillis);
            int exit = app.kill9();
            assertEquals(ChildJvm.SIGKILL_EXIT, exit, "destroyForcibly must be SIGKILL (exit 128 + 9):\n"
                    + app.tail());
            seenCommitted = TransferApp.lastCommitted(app.output());
            assertTrue(!app.output().contains("FAILED id="), "transfers failed under load before the kill:\n"
                    + app.tail());
        }
        int inDoubtAfterKill = run.checker().inDoubt().size();

        RecoveryServiceProcess.Result scan = run.recovery().run(Duration.ofSeconds(90), "scan");
        assertEquals(RecoveryServiceProcess.OK, scan.exitCode(), scan.describe());
        Checker.Report report = run.checker().check();
        assertTrue(report.ok(), report + "\n" + scan.describe());
        assertTrue(report.committed() >= seenCommitted, "the app saw " + seenCommitted + " transfers commit, the "
                + "resources hold " + report.committed() + ": " + report);
        assertEquals(List.of(), run.incarnationFiles(1), "the dead incarnation's log files after the scan:\n"
                + scan.describe());
        RECOVERY_MILLIS.add(scan.millis());
        SCAN_MILLIS.add(scan.scanMillis());
        String line = String.format("trial %2d: killed %4d ms into the load, %4d committed (%d seen by the app), "
                        + "%d branch(es) in doubt after the kill, scan %d ms (took_ms %d): %s", n, delayMillis,
                report.committed(), seenCommitted, inDoubtAfterKill, scan.millis(), scan.scanMillis(),
                scan.events().stream().map(e -> e.get("event")).distinct().toList());
        TRIALS.add(line);
        System.out.println("[random-kill] " + line);
    }


    @AfterAll
    static void summary() {
        List<Long> t = new ArrayList<>(RECOVERY_MILLIS);
        String summary = t.isEmpty() ? "no trial passed"
                : t.size() + " trial(s) passed; recovery: scan process (JVM start included) " + minMedianMax(t)
                        + ", the scan itself (took_ms) " + minMedianMax(new ArrayList<>(SCAN_MILLIS));
        System.out.println("[random-kill] seed " + seed + ": " + summary);
        StringBuilder md = new StringBuilder("# Random kill -9 under load\n\nSeed " + seed + ", " + THREADS
                + " threads, PostgreSQL + MariaDB + Artemis. " + summary + ".\n\n```\n");
        TRIALS.forEach(line -> md.append(line).append('\n'));
        md.append("```\n");
        try {
            Files.writeString(Path.of("target", "random-kill.md"), md.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.out.println("[random-kill] cannot write target/random-kill.md: " + e);
        }
    }

    private static String minMedianMax(List<Long> values) {
        Collections.sort(values);
        return String.format("min %d ms, median %d ms, max %d ms", values.get(0), values.get(values.size() / 2),
                values.get(values.size() - 1));
    }
}
