package dev.lockstep.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.LockstepMetrics;
import dev.lockstep.tm.spi.CrashPoint;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The live side of docs/design.md section 3: the recovery service's daemon running beside a loaded transaction manager
 * never contradicts it (invariant 5): no heuristic, no mixed outcome, nothing rolled back that then committed.
 *
 * <pre>
 * Scenario:
 *   resources   PostgreSQL, MariaDB, Artemis; two Lockstep nodes in this JVM, one log directory, default timeout 2 s
 *   daemon      lockstep-recovery-service.jar run, both nodes, scan.interval 1s, orphan.safety.interval 3s
 *   load (20 s) 3 threads of transfers on the main node: most commit, about 8 % are rolled back with
 *               UserTransaction.rollback() after their work, about 4 % are marked rollback-only and then committed
 *               (RollbackException); 1 thread whose transfers sleep past the 2 s timeout before commit (the reaper
 *               rolls them back, commit() throws RollbackException)
 *   orphans     twice, on the second node: a transfer whose commit stalls with every branch prepared and no
 *               decision (C3). Before deadline + safety interval (begin + 5 s) the daemon must leave its branches
 *               alone; after it, it rolls back those it can reach although the owner is alive (PostgreSQL, Artemis;
 *               MariaDB keeps a prepared branch attached to the preparing session, docs/xa-quirks.md); released, the
 *               owner finds its deadline passed, rolls back (RollbackException) and every branch is gone
 *   stop        load stopped, both TMs settle (no background retry pending), the daemon completes two more scans,
 *               the last one clean, then SIGTERM: exit 0
 *   expected    heuristic count 0 in both TMs' metrics, no event=heuristic or event=error from the daemon; Checker:
 *               no branch in doubt, every transfer in all resources or none, messages exactly once; every
 *               transfer whose commit() returned is present everywhere, every rolled-back one nowhere
 * </pre>
 */
class DaemonBesideLiveTmTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SAFETY = Duration.ofSeconds(3);
    private static final Duration LOAD = Duration.ofSeconds(20);
    private static final int LOAD_THREADS = 3;
    private static final int ORPHANS = 2;
    /** Accounts 0..7 for the load; 8 only for the orphans and 9 only for the sleeper, whose locks are held long. */
    private static final int LOAD_ACCOUNTS = 8;
    private static final int ORPHAN_ACCOUNT = 8;
    private static final int SLEEPER_ACCOUNT = 9;

    /** What the application saw of a transfer, hence where the Checker must find it. */
    enum Expected { COMMITTED, ROLLED_BACK, UNKNOWN }

    private final Map<String, Expected> expected = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> seen = new ConcurrentHashMap<>();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

    @Test
    void theDaemonNeverContradictsALoadedLiveTm() throws Exception {
        Endpoints all = Endpoints.ofHarness(true);
        CrashRuns.cleanSlate(all);
        String node = CrashRuns.nodeId("live");
        String orphanNode = CrashRuns.nodeId("live-orph");
        Path dir = CrashRuns.runDir(node);
        Path log = dir.resolve("log");
        TransferTables.openAccounts(all, node, Workload.ACCOUNTS, Workload.INITIAL);
        LockstepLogCapture tmLog = LockstepLogCapture.install();
        StallAtC3 stall = new StallAtC3();
        Lockstep mainTm = tm(node, log).build();
        Lockstep orphanTm = tm(orphanNode, log).crashHook(stall).build();
        RecoveryServiceProcess.Result stopped;
        List<OrphanRun> orphanRuns = new ArrayList<>();
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TransferResources live = TransferResources.openThree(mainTm, all, LOAD_THREADS + 3);
             TransferResources orphans = TransferResources.openThree(orphanTm, all, 2)) {
            RecoveryServiceProcess service = new RecoveryServiceProcess(dir.resolve("service"), log,
                    List.of(node, orphanNode), all)
                    .set("scan.interval", "1s")
                    .set("orphan.safety.interval", SAFETY.toSeconds() + "s")
                    .set("retry.initial.delay", "200ms")
                    .set("retry.max.delay", "1s");
            try (RecoveryServiceProcess.Daemon daemon = service.startDaemon()) {
                awaitScans(daemon, 1, Duration.ofSeconds(60));

                AtomicBoolean stop = new AtomicBoolean();
                long loadStart = System.nanoTime();
                List<Future<?>> load = new ArrayList<>();
                for (int t = 1; t <= LOAD_THREADS; t++) {
                    int thread = t;
                    load.add(pool.submit(() -> loadThread(live, node, thread, stop)));
                }
                load.add(pool.submit(() -> sleeperThread(live, node, stop)));
                for (int k = 1; k <= ORPHANS; k++) {
                    orphanRuns.add(orphan(k, orphans, node, orphanNode, stall, all, pool));
                }
                long left = LOAD.toNanos() - (System.nanoTime() - loadStart);
                if (left > 0) {
                    TimeUnit.NANOSECONDS.sleep(left);
                }
                stop.set(true);
                for (Future<?> f : load) {
                    f.get(60, TimeUnit.SECONDS);
                }
                awaitSettled(mainTm, orphanTm, Duration.ofSeconds(30));
                // Two scans that began after everything settled; the last one must find nothing in doubt.
                int before = scanDone(daemon.stdout()).size();
                awaitScans(daemon, before + 2, Duration.ofSeconds(30));
                stopped = daemon.stop(Duration.ofSeconds(30));
            }
            LockstepMetrics m = mainTm.metrics();
            LockstepMetrics o = orphanTm.metrics();
            String metrics = "main " + m + "\norphans " + o;
            System.out.println("[daemon-live] " + counts() + "\n[daemon-live] " + metrics
                    + "\n[daemon-live] Lockstep warnings by id: " + tmLog.byId() + "\n  " + tmLog.retryLines()
                    + "\n[daemon-live] daemon events: " + eventSummary(stopped, node, orphanNode)
                    + "\n[daemon-live] orphans: " + orphanRuns);

            assertEquals(0, stopped.exitCode(), "SIGTERM stops the daemon gracefully:\n" + tail(stopped));
            assertEquals(List.of(), problems, "what the application saw");
            assertEquals(0, m.heuristic(), metrics + "\n" + tmLog.lines());
            assertEquals(0, o.heuristic(), metrics + "\n" + tmLog.lines());
            assertTrue(m.timedOut() >= 1, "the deadline path ran (the sleeper's transfers time out): " + metrics);
            assertEquals(List.of(), events(stopped, "heuristic"), tail(stopped));
            assertEquals(List.of(), events(stopped, "error"), tail(stopped));
            Map<String, String> lastScan = scanDone(stopped.stdout()).get(scanDone(stopped.stdout()).size() - 1);
            assertEquals("0", lastScan.get("in_doubt"), "the daemon's last scan after the load: " + lastScan);
            for (OrphanRun r : orphanRuns) {
                List<Map<String, String>> rollbacks = events(stopped, "rollback").stream()
                        .filter(e -> r.gtrid.equals(e.get("gtrid")) && "true".equals(e.get("ok"))).toList();
                Set<String> resources = new java.util.TreeSet<>();
                rollbacks.forEach(e -> resources.add(e.get("resource")));
                assertTrue(resources.containsAll(List.of(Endpoints.PG_RESOURCE, Endpoints.JMS_RESOURCE)),
                        "the daemon rolled back orphan " + r + ": " + rollbacks);
            }

            Checker.Report report = new Checker(all, node, Set.of(node, orphanNode), true).check();
            System.out.println("[daemon-live] " + report);
            assertTrue(report.ok(), report.toString());
            List<String> wrong = new ArrayList<>();
            expected.forEach((id, want) -> {
                Checker.Outcome got = report.outcomeOf(id);
                if ((want == Expected.COMMITTED && got != Checker.Outcome.COMMITTED)
                        || (want == Expected.ROLLED_BACK && got != Checker.Outcome.ROLLED_BACK)) {
                    wrong.add(id + " expected " + want + " but is " + got);
                }
            });
            assertEquals(List.of(), wrong, "transfers whose outcome is not what commit()/rollback() said");
            long committed = count(Expected.COMMITTED);
            long unknown = count(Expected.UNKNOWN);
            assertTrue(report.committed() >= committed && report.committed() <= committed + unknown,
                    "no transfer the application did not make: " + committed + " committed and " + unknown
                            + " of unknown outcome, " + report.committed() + " in the resources");
        } finally {
            stall.releaseAll();
            pool.shutdownNow();
            tmLog.uninstall();
        }
    }

    private static Lockstep.Builder tm(String node, Path log) {
        return Lockstep.builder().nodeId(node).logDirectory(log).defaultTimeout(TIMEOUT)
                .retryInitialDelay(Duration.ofMillis(200)).retryMaxDelay(Duration.ofSeconds(1));
    }

    // ------------------------------------------------------------------ load

    private void loadThread(TransferResources r, String run, int thread, AtomicBoolean stop) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (long n = 0; !stop.get(); n++) {
            String id = run + "-" + thread + "-" + n;
            int kind = rnd.nextInt(100);
            long amount = rnd.nextLong(1, 51);
            int from = rnd.nextInt(LOAD_ACCOUNTS);
            int to = rnd.nextInt(LOAD_ACCOUNTS);
            boolean completing = false;
            try {
                r.ut.begin();
                r.work(run, id, amount, from, to);
                if (kind < 8) {
                    completing = true;
                    r.ut.rollback();
                    record(id, Expected.ROLLED_BACK, "rolled back on purpose");
                    continue;
                }
                if (kind < 12) {
                    r.ut.setRollbackOnly();
                }
                completing = true;
                r.ut.commit();
                if (kind < 12) {
                    problems.add(id + ": commit() of a rollback-only transaction returned normally");
                    record(id, Expected.UNKNOWN, "rollback-only committed");
                } else {
                    record(id, Expected.COMMITTED, "committed");
                }
            } catch (RollbackException e) {
                record(id, Expected.ROLLED_BACK, kind < 12 ? "rollback-only" : "RollbackException");
            } catch (HeuristicMixedException | HeuristicRollbackException e) {
                problems.add(id + ": " + e);
                record(id, Expected.UNKNOWN, "heuristic");
            } catch (Exception e) {
                r.rollBackQuietly(completing, e);
                // Before commit(): rolled back here. From commit() (SystemException, ...): the outcome is unknown.
                record(id, completing ? Expected.UNKNOWN : Expected.ROLLED_BACK, "failed: " + e.getClass().getName());
            }
        }
    }

    /** Transfers that sleep past the timeout before commit(): the reaper rolls them back first. */
    private void sleeperThread(TransferResources r, String run, AtomicBoolean stop) {
        for (long n = 0; !stop.get(); n++) {
            String id = run + "-sleeper-" + n;
            boolean completing = false;
            try {
                r.ut.begin();
                r.work(run, id, 7, SLEEPER_ACCOUNT, SLEEPER_ACCOUNT);
                Thread.sleep(TIMEOUT.toMillis() + 600);
                completing = true;
                r.ut.commit();
                problems.add(id + ": commit() returned normally " + (TIMEOUT.toMillis() + 600) + " ms after begin, "
                        + "past the " + TIMEOUT + " timeout");
                record(id, Expected.COMMITTED, "sleeper committed");
            } catch (RollbackException e) {
                record(id, Expected.ROLLED_BACK, "timed out");
            } catch (HeuristicMixedException | HeuristicRollbackException e) {
                problems.add(id + ": " + e);
                record(id, Expected.UNKNOWN, "heuristic");
            } catch (Exception e) {
                r.rollBackQuietly(completing, e);
                record(id, completing ? Expected.UNKNOWN : Expected.ROLLED_BACK, "sleeper failed: "
                        + e.getClass().getName());
            }
        }
    }

    private void record(String id, Expected e, String why) {
        expected.put(id, e);
        seen.computeIfAbsent(why, k -> new AtomicLong()).incrementAndGet();
    }

    private long count(Expected e) {
        return expected.values().stream().filter(e::equals).count();
    }

    private String counts() {
        return "transfers by what the application saw: " + new TreeMap<>(seen);
    }

    // ------------------------------------------------------------------ orphans

    /** One orphan of a live owner, as the test saw it. */
    record OrphanRun(String id, String gtrid, long prepareToDaemonRollbackMs, long beginToGoneMs, String ownerSaw) {
        @Override
        public String toString() {
            return id + " gtrid=" + gtrid.substring(0, Math.min(16, gtrid.length())) + "... rolled back by the daemon "
                    + prepareToDaemonRollbackMs + " ms after its branches were seen prepared, all branches gone "
                    + beginToGoneMs + " ms after the transfer started; owner saw " + ownerSaw;
        }
    }

    private OrphanRun orphan(int k, TransferResources orphans, String run, String orphanNode, StallAtC3 stall,
            Endpoints all, ExecutorService pool) throws Exception {
        String id = run + "-orphan-" + k;
        CountDownLatch reached = stall.arm();
        long submitted = System.nanoTime();
        Future<Exception> owner = pool.submit(() -> {
            try {
                orphans.transfer(run, id, 3, ORPHAN_ACCOUNT, ORPHAN_ACCOUNT);
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        assertTrue(reached.await(30, TimeUnit.SECONDS), "orphan " + id + " never reached C3");
        List<XaBranches.Branch> prepared = XaBranches.list(all, orphanNode::equals);
        long seenPrepared = System.nanoTime();
        assertEquals(List.of("postgresql", "mariadb", "artemis"),
                prepared.stream().map(XaBranches.Branch::server).toList(), "orphan " + id + " is prepared");
        String gtrid = prepared.get(0).gtridHex();

        // Its deadline is begin + 2 s, so before begin + 5 s the daemon must leave it alone.
        long checkAt = submitted + TIMEOUT.plus(SAFETY).minusSeconds(1).toNanos();
        TimeUnit.NANOSECONDS.sleep(Math.max(0, checkAt - System.nanoTime()));
        List<XaBranches.Branch> early = XaBranches.list(all, orphanNode::equals);
        assertEquals(prepared.size(), early.size(), "the daemon touched orphan " + id + " before its deadline "
                + "plus the safety interval: " + early);

        // After it, the daemon rolls back what it can although the owner is alive.
        awaitBranches(all, orphanNode, b -> !b.server().equals("mariadb"), Duration.ofSeconds(20),
                "the daemon rolled back orphan " + id + " on PostgreSQL and Artemis");
        long rolledBack = System.nanoTime();
        stall.release();
        Exception seenByOwner = owner.get(60, TimeUnit.SECONDS);
        assertInstanceOf(RollbackException.class, seenByOwner,
                "the owner, released past its deadline, must roll back: " + seenByOwner);
        awaitBranches(all, orphanNode, b -> true, Duration.ofSeconds(20), "every branch of orphan " + id + " gone");
        record(id, Expected.ROLLED_BACK, "orphan");
        return new OrphanRun(id, gtrid, (rolledBack - seenPrepared) / 1_000_000,
                (System.nanoTime() - submitted) / 1_000_000, seenByOwner.getClass().getSimpleName());
    }

    /** Waits until no branch of {@code node} that {@code which} accepts is in a recover() list. */
    private static void awaitBranches(Endpoints all, String node, Predicate<XaBranches.Branch> which,
            Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<XaBranches.Branch> left;
        while (!(left = XaBranches.list(all, node::equals).stream().filter(which).toList()).isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": still in doubt after " + timeout.toSeconds() + " s: " + left);
            }
            Thread.sleep(100);
        }
    }

    /** Stops the armed transaction at C3 (all prepared, no decision yet) until released. */
    static final class StallAtC3 implements CrashPoint.Hook {
        private volatile CountDownLatch reached;
        private volatile CountDownLatch release = new CountDownLatch(0);
        private volatile boolean armed;

        CountDownLatch arm() {
            reached = new CountDownLatch(1);
            release = new CountDownLatch(1);
            armed = true;
            return reached;
        }

        void release() {
            release.countDown();
        }

        void releaseAll() {
            armed = false;
            release.countDown();
        }

        @Override
        public void reached(CrashPoint point) {
            if (point != CrashPoint.C3_ALL_PREPARED || !armed) {
                return;
            }
            armed = false;
            reached.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ the daemon and the TMs

    private static void awaitSettled(Lockstep a, Lockstep b, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (a.metrics().pendingBranches() + b.metrics().pendingBranches() > 0) {
            if (System.nanoTime() > deadline) {
                fail("background retries still pending after " + timeout.toSeconds() + " s: " + a.metrics() + " / "
                        + b.metrics());
            }
            Thread.sleep(50);
        }
    }

    private static List<Map<String, String>> scanDone(String stdout) {
        return Logfmt.events(stdout).stream().filter(e -> "scan_done".equals(e.get("event"))).toList();
    }

    private static void awaitScans(RecoveryServiceProcess.Daemon daemon, int n, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (scanDone(daemon.stdout()).size() < n) {
            if (!daemon.isAlive()) {
                fail("the daemon exited before its scan " + n + ":\n" + daemon.stdout());
            }
            if (System.nanoTime() > deadline) {
                fail("the daemon did not complete scan " + n + " within " + timeout.toSeconds() + " s:\n"
                        + daemon.stdout());
            }
            Thread.sleep(50);
        }
    }

    private static List<Map<String, String>> events(RecoveryServiceProcess.Result r, String kind) {
        return ResourceCrashTest.events(r, kind);
    }

    /** Counts of the daemon's action events per kind, ok and node (main or orphan). */
    private static Map<String, Integer> eventSummary(RecoveryServiceProcess.Result r, String node, String orphan) {
        Map<String, Integer> m = new TreeMap<>();
        for (Map<String, String> e : r.allEvents()) {
            String kind = e.get("event");
            if (List.of("scan_done", "recover_scan", "log", "in_doubt").contains(kind)) {
                continue;
            }
            String who = node.equals(e.get("node")) ? "main" : orphan.equals(e.get("node")) ? "orphan" : "-";
            m.merge(kind + "/ok=" + e.get("ok") + "/" + who + (e.get("resource") == null ? ""
                    : "/" + e.get("resource")), 1, Integer::sum);
        }
        m.put("scans", scanDone(r.stdout()).size());
        return m;
    }

    private static String tail(RecoveryServiceProcess.Result r) {
        List<String> lines = r.describe().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }

    /** Lockstep's WARNING and ERROR log lines in this JVM (the test logging configuration turns them off). */
    static final class LockstepLogCapture extends Handler {
        private static final Pattern ID = Pattern.compile("\\b(LKS-\\d+)");
        private final Logger logger = Logger.getLogger("dev.lockstep");
        private final Level previous;
        private final boolean parentHandlers;
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        private LockstepLogCapture() {
            previous = logger.getLevel();
            parentHandlers = logger.getUseParentHandlers();
        }

        static LockstepLogCapture install() {
            LockstepLogCapture c = new LockstepLogCapture();
            c.setLevel(Level.WARNING);
            c.logger.setLevel(Level.WARNING);
            c.logger.addHandler(c);
            c.logger.setUseParentHandlers(false); // captured, not printed on the console
            return c;
        }

        void uninstall() {
            logger.removeHandler(this);
            logger.setLevel(previous);
            logger.setUseParentHandlers(parentHandlers);
        }

        @Override
        public void publish(LogRecord r) {
            if (isLoggable(r)) {
                String msg = r.getMessage();
                Object[] p = r.getParameters();
                if (p != null && msg != null) {
                    try {
                        msg = java.text.MessageFormat.format(msg, p);
                    } catch (IllegalArgumentException e) {
                        // keep the pattern
                    }
                }
                lines.add(r.getLevel() + " " + msg + (r.getThrown() == null ? "" : " (" + r.getThrown() + ")"));
            }
        }

        Map<String, Integer> byId() {
            Map<String, Integer> m = new TreeMap<>();
            synchronized (lines) {
                for (String l : lines) {
                    Matcher matcher = ID.matcher(l);
                    m.merge(matcher.find() ? matcher.group(1) : "other", 1, Integer::sum);
                }
            }
            return m;
        }

        /** The phase-two retry and heuristic lines (LKS-140, 142, 131), which carry the XA codes met. */
        String retryLines() {
            synchronized (lines) {
                return String.join("\n  ", lines.stream().filter(l -> l.contains("LKS-140") || l.contains("LKS-142")
                        || l.contains("LKS-131")).limit(20).toList());
            }
        }

        String lines() {
            synchronized (lines) {
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
