package dev.lockstep.it.crash;

import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.LockstepMetrics;
import dev.lockstep.tm.spi.CrashPoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The application of {@link ResourceCrashTest}, run as the main class of a child JVM: one Lockstep over the three
 * resources ({@link TransferResources}) that commits {@code before} transfers, then one more, {@code <node>-paused},
 * whose commit stops right after its COMMIT record is forced ({@link CrashPoint#C4_DECISION_FORCED}) until the file
 * {@code gate} exists. Meanwhile the test kills a resource, so that phase two finds it dead.
 *
 * <p>After {@code commit()} returns (it must, the decision being durable: docs/design.md invariant 6), the app prints
 * its
 * background retries until none is pending, then closes and exits 0. The test may kill it with SIGKILL at any point
 * instead. Phase-two retries are fast here (first after 200 ms, capped at 1 s) to keep the test short.
 *
 * <p>Lines on standard output (the test waits for them): {@value #STARTED}, {@value #COMMITTED} per transfer before,
 * {@value #PAUSED} at C4, {@value #COMMIT_RETURNED} or {@value #COMMIT_FAILED}, then {@value #SETTLING} every 100 ms
 * with {@code pending=}, {@code retries=} and {@code heuristic=} from {@link Lockstep#metrics()}, {@value #SETTLED}
 * and {@value #CLOSED}. Lockstep's own log lines (INFO and up, e.g. LKS-140 with the XA code of the failed
 * commit) go to standard error, which the test captures with the output.
 *
 * <p>Arguments: {@code --node=}, {@code --log-dir=}, {@code --pg-url=}, {@code --maria-url=}, {@code --broker-url=},
 * {@code --gate=} (a file path), {@code --before=} (default 2). The JVM halts when its standard input closes (the
 * test JVM is gone).
 */
public final class PausedPhaseTwoApp {

    public static final String STARTED = "STARTED";
    public static final String COMMITTED = "COMMITTED";
    public static final String PAUSED = "PAUSED";
    public static final String COMMIT_RETURNED = "COMMIT-RETURNED";
    public static final String COMMIT_FAILED = "COMMIT-FAILED";
    public static final String SETTLING = "SETTLING";
    public static final String SETTLED = "SETTLED";
    public static final String CLOSED = "CLOSED";
    /** Exit code when the gate never opened. */
    public static final int GATE_TIMEOUT = 4;

    private PausedPhaseTwoApp() {
    }

    /** The arguments for a run. */
    static List<String> args(String node, Path logDir, Endpoints e, Path gate, int before) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("node", node);
        m.put("log-dir", logDir.toAbsolutePath().toString());
        m.put("pg-url", e.pgUrl());
        m.put("maria-url", e.mariaUrl());
        m.put("broker-url", e.brokerUrl());
        m.put("gate", gate.toAbsolutePath().toString());
        m.put("before", Integer.toString(before));
        List<String> args = new ArrayList<>();
        m.forEach((k, v) -> args.add("--" + k + "=" + v));
        return args;
    }

    /** The id of the transfer paused at C4. */
    static String pausedId(String node) {
        return node + "-paused";
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = parse(argv);
        TransferApp.watchParent();
        showLockstepWarnings();
        String node = a.get("node");
        Endpoints e = new Endpoints(a.get("pg-url"), a.get("maria-url"), a.get("broker-url"));
        Gate gate = new Gate(Path.of(a.get("gate")));
        Lockstep lockstep = Lockstep.builder().nodeId(node).logDirectory(Path.of(a.get("log-dir")))
                .defaultTimeout(Duration.ofSeconds(30))
                .retryInitialDelay(Duration.ofMillis(200)).retryMaxDelay(Duration.ofSeconds(1))
                .crashHook(gate).build();
        TransferResources r = TransferResources.openThree(lockstep, e, 3);
        TransferApp.say(STARTED + " node=" + node + " incarnation=" + lockstep.incarnation());
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int before = Integer.parseInt(a.getOrDefault("before", "2"));
        for (int i = 0; i < before; i++) {
            String id = node + "-0-" + i;
            r.transfer(node, id, rnd.nextLong(1, 51), rnd.nextInt(Workload.ACCOUNTS), rnd.nextInt(Workload.ACCOUNTS));
            TransferApp.say(COMMITTED + " id=" + id);
        }
        String id = pausedId(node);
        gate.arm(id);
        long t0 = System.nanoTime();
        try {
            r.transfer(node, id, rnd.nextLong(1, 51), rnd.nextInt(Workload.ACCOUNTS), rnd.nextInt(Workload.ACCOUNTS));
            TransferApp.say(COMMIT_RETURNED + " id=" + id + " ms=" + (System.nanoTime() - gate.openedNanos) / 1_000_000
                    + " pending=" + lockstep.metrics().pendingBranches());
        } catch (Exception ex) {
            TransferApp.say(COMMIT_FAILED + " id=" + id + " error=" + ex.toString().replace('\n', ' '));
        }
        long settleStart = System.nanoTime();
        while (true) {
            LockstepMetrics m = lockstep.metrics();
            String counters = "pending=" + m.pendingBranches() + " retries=" + m.phaseTwoRetries() + " heuristic="
                    + m.heuristic() + " committed=" + m.committed();
            if (m.pendingBranches() == 0) {
                TransferApp.say(SETTLED + " " + counters + " ms=" + (System.nanoTime() - settleStart) / 1_000_000);
                break;
            }
            TransferApp.say(SETTLING + " " + counters);
            Thread.sleep(100);
        }
        List<String> hung = r.closePools(Duration.ofSeconds(5));
        lockstep.close();
        TransferApp.say(CLOSED + " hung-pools=" + hung + " total-ms=" + (System.nanoTime() - t0) / 1_000_000);
        Runtime.getRuntime().halt(0); // a pool that hung on close must not keep the JVM alive
    }

    /** Stops the armed transfer at C4 until the gate file exists. */
    private static final class Gate implements CrashPoint.Hook {
        private final Path file;
        private volatile String armedFor;
        volatile long openedNanos;

        Gate(Path file) {
            this.file = file;
        }

        void arm(String transferId) {
            armedFor = transferId;
        }

        @Override
        public void reached(CrashPoint point) {
            String id = armedFor;
            if (id == null || point != CrashPoint.C4_DECISION_FORCED) {
                return;
            }
            armedFor = null;
            TransferApp.say(PAUSED + " point=" + point + " id=" + id + " thread=" + Thread.currentThread().getName());
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!Files.exists(file)) {
                if (System.nanoTime() > deadline) {
                    TransferApp.say("GATE-TIMEOUT " + file + " did not appear within 120 s; halting");
                    Runtime.getRuntime().halt(GATE_TIMEOUT);
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            openedNanos = System.nanoTime();
            TransferApp.say("GATE-OPEN id=" + id);
        }
    }

    /** Lockstep's INFO, WARNING and ERROR lines on standard error, so the test output shows the XA codes it met. */
    private static void showLockstepWarnings() {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s %3$s: %5$s%6$s%n");
        Logger l = LOCKSTEP_LOGGER;
        l.setLevel(Level.INFO);
        ConsoleHandler h = new ConsoleHandler();
        h.setLevel(Level.INFO);
        h.setFormatter(new SimpleFormatter());
        l.addHandler(h);
        l.setUseParentHandlers(false);
    }

    /** Held so that the configured logger is not collected (JUL keeps loggers weakly). */
    private static final Logger LOCKSTEP_LOGGER = Logger.getLogger("dev.lockstep");

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (!a.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("expected --key=value, got '" + a + "'");
            }
            m.put(a.substring(2, eq), a.substring(eq + 1));
        }
        for (String required : List.of("node", "log-dir", "pg-url", "maria-url", "broker-url", "gate")) {
            if (!m.containsKey(required)) {
                throw new IllegalArgumentException("missing --" + required + "=...");
            }
        }
        return m;
    }
}
