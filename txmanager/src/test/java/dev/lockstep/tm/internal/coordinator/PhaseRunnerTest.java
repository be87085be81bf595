package dev.lockstep.tm.internal.coordinator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.internal.xa.LockstepXid;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The phase runner's hand-off rule: slow branches go to phase threads only while fewer transactions than
 * {@code busyFrom} are in a phase; under load the committer makes every call itself.
 */
class PhaseRunnerTest {

    /*
     * Scenario: one committer, three branches of resources not timed yet (they count as slow).
     * Expected: the first runs on the committer, the other two on phase threads.
     */
    @Test
    void aLoneCommitterHandsItsOtherBranchesOff() {
        try (PhaseRunner runner = new PhaseRunner(8, 2)) {
            Map<String, Thread> ranOn = new ConcurrentHashMap<>();
            runner.forEach(branches("a", "b", "c"), b -> ranOn.put(b.resourceName, Thread.currentThread()));
            assertEquals(Thread.currentThread(), ranOn.get("a"));
            assertTrue(ranOn.get("b").getName().startsWith("lockstep-phase-"), "b ran on " + ranOn.get("b"));
            assertTrue(ranOn.get("c").getName().startsWith("lockstep-phase-"), "c ran on " + ranOn.get("c"));
            assertArrayEquals(new long[] {1, 0}, runner.decisions());
        }
    }

    /*
     * Scenario: busyFrom = 3. Two committers are held inside a phase call; a third commits three slow branches,
     * then the two are released and a fourth commits alone.
     * Expected: the third makes all three calls itself, in order, on its own thread; the fourth hands off again;
     * the two held ones had handed off (each was, at its start, below the limit).
     */
    @Test
    void underLoadTheCommitterMakesEveryCallItself() throws Exception {
        try (PhaseRunner runner = new PhaseRunner(8, 3)) {
            CountDownLatch inside = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            List<Thread> held = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                // Resources of their own: once one committer's second call was timed as fast, another committer of
                // the same resources would rightly run them in turn, without counting as in a phase.
                String first = "held-" + i + "-first";
                String second = "held-" + i + "-second";
                Thread t = new Thread(() -> runner.forEach(branches(first, second), b -> {
                    if (b.resourceName.equals(first)) {
                        inside.countDown();
                        await(release);
                    }
                }), "held-" + i);
                t.start();
                held.add(t);
            }
            assertTrue(inside.await(10, TimeUnit.SECONDS), "the held committers never reached their phase call");

            List<String> order = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            runner.forEach(branches("a", "b", "c"), b -> {
                order.add(b.resourceName);
                threads.add(Thread.currentThread());
            });
            assertEquals(List.of("a", "b", "c"), order, "threads " + threads + " decisions "
                    + java.util.Arrays.toString(runner.decisions()));
            assertEquals(List.of(Thread.currentThread(), Thread.currentThread(), Thread.currentThread()), threads);
            assertArrayEquals(new long[] {2, 1}, runner.decisions());

            release.countDown();
            for (Thread t : held) {
                t.join(10_000);
                assertTrue(!t.isAlive(), t.getName() + " never finished its phase");
            }
            Map<String, Thread> ranOn = new ConcurrentHashMap<>();
            runner.forEach(branches("x", "y"), b -> ranOn.put(b.resourceName, Thread.currentThread()));
            assertNotEquals(Thread.currentThread(), ranOn.get("y"), "a lone committer must hand off again");
            assertArrayEquals(new long[] {3, 1}, runner.decisions());
        }
    }

    /*
     * Scenario: 16 committers × 200 phases of three slow-looking branches each, busyFrom = 2, a call that throws
     * now and then (a broken contract, which the runner reports) and one that is interrupted.
     * Expected: every call ran exactly once, and afterwards the count of transactions in a phase is back to zero: a
     * lone committer hands off again.
     */
    @Test
    void theLoadCountComesBackToZeroWhateverTheCallsDo() throws Exception {
        try (PhaseRunner runner = new PhaseRunner(4, 2)) {
            ConcurrentHashMap<String, Integer> calls = new ConcurrentHashMap<>();
            List<Thread> committers = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    for (int i = 0; i < 200; i++) {
                        String p = id + "/" + i + "/";
                        boolean breaks = id == 3 && i % 50 == 0;
                        Consumer<Branch> call = b -> {
                            calls.merge(b.resourceName, 1, Integer::sum);
                            if (breaks && b.resourceName.equals(p + "c")) {
                                throw new IllegalStateException("a broken phase call");
                            }
                        };
                        try {
                            runner.forEach(branches(p + "a", p + "b", p + "c"), call);
                        } catch (IllegalStateException expected) {
                            // the runner reports the broken contract; the count must still come back
                        }
                    }
                });
                th.start();
                committers.add(th);
            }
            for (Thread th : committers) {
                th.join(60_000);
                assertTrue(!th.isAlive(), "a committer never finished");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (calls.size() < 16 * 200 * 3 && System.nanoTime() < deadline) {
                Thread.sleep(10); // a phase thread may still finish a call of the phase whose call threw
            }
            assertEquals(16 * 200 * 3, calls.size());
            assertTrue(calls.values().stream().allMatch(c -> c == 1), "a call ran twice");
            long before = runner.decisions()[0];
            Map<String, Thread> ranOn = new ConcurrentHashMap<>();
            runner.forEach(branches("x", "y"), b -> ranOn.put(b.resourceName, Thread.currentThread()));
            assertNotEquals(Thread.currentThread(), ranOn.get("y"), "the load count did not come back to zero");
            assertEquals(before + 1, runner.decisions()[0]);
        }
    }

    private static List<Branch> branches(String... names) {
        List<Branch> list = new ArrayList<>();
        byte[] gtrid = ("test-" + String.join(",", names)).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < names.length; i++) {
            list.add(new Branch(LockstepXid.branch(gtrid, i + 1), null, names[i], false));
        }
        return list;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
