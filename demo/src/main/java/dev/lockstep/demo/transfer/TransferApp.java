package dev.lockstep.demo.transfer;

import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.spi.CrashPoint;
import dev.lockstep.tm.store.PostgresDecisionStore;
import io.agroal.api.AgroalDataSource;
import jakarta.jms.TextMessage;
import jakarta.transaction.UserTransaction;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application of the crash tests, run as the main class of a child JVM on the test class path: one Lockstep
 * (node id and log directory given) with pooled, enlisting DataSources for PostgreSQL ({@value Endpoints#PG_RESOURCE})
 * and MariaDB ({@value Endpoints#MARIA_RESOURCE}) and, with a broker URL, the Artemis factory
 * ({@value Endpoints#JMS_RESOURCE}). The pools and the factory register their recoverable resources with Lockstep
 * under those names as they are built, as in a real application, so that phase-two retries can reconnect.
 *
 * <p>A transfer with id T, in one {@code UserTransaction}: PostgreSQL debits an account and inserts T into
 * {@code transfers}; MariaDB credits an account and inserts T; with the broker, a persistent TextMessage with text T
 * goes to queue {@value TransferTables#QUEUE} ({@link TransferTables} has the tables). Transfer ids are
 * {@code <node>-<thread>-<n>}, and the crashing one of crash mode is {@code <node>-crash}.
 *
 * <p>Modes:
 * <ul>
 * <li>{@code crash}: commits {@code before} transfers, then runs one more with the crash point armed; the JVM halts
 * ({@code Runtime.halt(77)}, no shutdown hooks, like kill -9) when that transfer reaches the point. Phases run one
 * branch after the other (in enlistment order: PostgreSQL, MariaDB, Artemis) so C2 and C5 leave exactly the first
 * branch prepared or committed. For C7 the transfer arms the point only once it has passed C3, so the write torn in
 * half is the one carrying its COMMIT record, not a lazy END of an earlier transfer.</li>
 * <li>{@code load}: {@code threads} threads transfer until the JVM is killed (or {@code limit} transfers per thread
 * are done, then exit 0), with parallel phases as in production. Prints {@value #PROGRESS} lines, and
 * {@value #LOAD_RUNNING} once {@code running-after} transfers committed.</li>
 * <li>{@code load} with {@code pause-at}: the same, but the first transfer to reach that crash point once
 * {@code pause-after} transfers committed stops there for good and {@value #PAUSED} names it (transfer id and
 * {@code tx=node:incarnation:sequence}); the other threads go on, and the parent kills the JVM from outside, e.g.
 * {@code kill -9} with the transfer in the middle of phase two (C5). Phases then run one branch after the other,
 * as in crash mode, so C5 leaves exactly the first branch (PostgreSQL) committed and the others prepared.</li>
 * <li>{@code recover}: with {@code store-schema} only. Starts a new incarnation of the node, registers the resources,
 * prints {@value #RECOVERING} and runs no transfer: its in-process recovery takes over the expired leases of the
 * store, the node's own dead incarnations among them, and finishes their transactions, until the JVM is killed.
 * This is a node restarted after a crash (docs/cluster.md).</li>
 * </ul>
 *
 * <p>Settings are {@code --key=value} arguments, or system properties {@code transfer.key} ({@link Options}). The
 * JVM halts by itself when its standard input closes, i.e. when the test JVM that started it is gone, so no loaded
 * child outlives a crashed test run.
 */
public final class TransferApp {

    /** Exit code of a JVM halted at its crash point. */
    public static final int HALTED = 77;
    /** Exit code when the standard input closed (parent gone). */
    public static final int PARENT_GONE = 3;
    public static final String STARTED = "STARTED";
    public static final String COMMITTED = "COMMITTED";
    public static final String CRASH_TRANSFER = "CRASH-TRANSFER";
    public static final String HALT = "HALT";
    public static final String PROGRESS = "PROGRESS";
    public static final String LOAD_RUNNING = "LOAD-RUNNING";
    public static final String PAUSED = "PAUSED";
    public static final String DONE = "DONE";
    public static final String RECOVERING = "RECOVERING";

    private final Options options;
    private final Lockstep lockstep;
    private final UserTransaction ut;
    private final TransferResources resources;
    private final CrashHalter halter;
    /** Load mode with pause-at, else null. */
    private final Pauser pauser;
    private final AtomicLong committed = new AtomicLong();
    /** The decision store's pool when the decisions are in PostgreSQL, else null. */
    private final AgroalDataSource storePool;

    private TransferApp(Options o) throws Exception {
        this.options = o;
        this.halter = new CrashHalter(o.point());
        this.pauser = o.mode() == Mode.LOAD && o.pauseAt() != null ? new Pauser(o.pauseAt()) : null;
        Lockstep.Builder b = Lockstep.builder().nodeId(o.node()).logDirectory(o.logDir())
                .defaultTimeout(Duration.ofSeconds(30))
                // The crash suite measures the recovery service's recovery; a node in the database store finishes
                // the others' transactions itself (docs/cluster.md).
                .inProcessRecovery(o.storeSchema() != null)
                // crash mode and pausing: one branch after the other, so "some prepared/committed" means exactly
                // the first, and the hook runs on the committing thread
                .parallelPhases(o.mode() == Mode.LOAD && pauser == null);
        if (o.mode() == Mode.CRASH) {
            b.crashHook(halter);
        } else if (pauser != null) {
            b.crashHook(pauser);
        }
        if (o.storeSchema() != null) {
            Endpoints.Login login = o.endpoints().pgLogin();
            this.storePool = LockstepDataSources.decisionStore(o.endpoints().pgUrl(), login.user(), login.password(),
                    3);
            b.decisionStore(PostgresDecisionStore.builder(storePool).schema(o.storeSchema())
                    .lease(Duration.ofMillis(o.leaseMillis())).build())
                    .recoveryInterval(Duration.ofMillis(o.recoveryMillis()));
        } else {
            this.storePool = null;
        }
        this.lockstep = b.build();
        this.ut = lockstep.userTransaction();
        // Each pool and the factory registers its RecoverableResource with lockstep under its name here.
        this.resources = TransferResources.open(lockstep, o.endpoints(), o.threads() + 2);
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        watchParent();
        TransferApp app = new TransferApp(o);
        say(STARTED + " node=" + o.node() + " incarnation=" + app.lockstep.incarnation() + " mode="
                + o.mode().name().toLowerCase() + " resources=" + o.endpoints().resourceCount());
        switch (o.mode()) {
            case CRASH -> app.crash();
            case LOAD -> app.load();
            case RECOVER -> app.recover();
            default -> throw new IllegalStateException(o.mode().toString());
        }
    }

    /** Commits {@code before} transfers, then one more with the crash point armed; returns only if never halted. */
    private void crash() throws Exception {
        for (int i = 0; i < options.before(); i++) {
            String id = options.node() + "-0-" + i;
            transfer(id, ThreadLocalRandom.current());
            say(COMMITTED + " id=" + id);
        }
        if (options.point() == CrashPoint.C7_MID_RECORD && options.before() > 0 && options.storeSchema() == null) {
            // The ENDs of the transfers above reach the log with the owner's housekeeping flush (once a second);
            // wait for it so the next write is the crashing transfer's COMMIT alone. The store's writer raises C7 for
            // COMMIT batches only, never for ENDs.
            Thread.sleep(1_500);
        }
        String id = options.node() + "-crash";
        say(CRASH_TRANSFER + " id=" + id + " point=" + options.point());
        halter.arm(id);
        transfer(id, ThreadLocalRandom.current());
        say("NOT-HALTED id=" + id + ": the transfer committed without reaching " + options.point());
        System.exit(1);
    }

    /** Leaves the in-process recovery to work; only a kill (or the parent's end) stops the JVM. */
    private void recover() throws InterruptedException {
        say(RECOVERING + " node=" + options.node() + " incarnation=" + lockstep.incarnation() + " every="
                + options.recoveryMillis() + "ms");
        Thread.sleep(Long.MAX_VALUE);
    }

    private void load() throws Exception {
        AtomicLong failed = new AtomicLong();
        AtomicInteger printedFailures = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 1; t <= options.threads(); t++) {
            int thread = t;
            Thread th = new Thread(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (long n = 0; options.limit() == 0 || n < options.limit(); n++) {
                    String id = options.node() + "-" + thread + "-" + n;
                    try {
                        transfer(id, rnd);
                        committed.incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        if (printedFailures.incrementAndGet() <= 5) {
                            say("FAILED id=" + id + " error=" + oneLine(e));
                        }
                    }
                }
            }, "transfer-" + t);
            th.start();
            threads.add(th);
        }
        Thread progress = new Thread(() -> {
            boolean running = false;
            while (true) {
                long c = committed.get();
                say(PROGRESS + " committed=" + c + " failed=" + failed.get());
                if (!running && c >= options.runningAfter()) {
                    running = true;
                    say(LOAD_RUNNING + " committed=" + c);
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "progress");
        progress.setDaemon(true);
        progress.start();
        for (Thread th : threads) {
            th.join();
        }
        say(DONE + " committed=" + committed.get() + " failed=" + failed.get());
        resources.close();
        System.exit(failed.get() == 0 ? 0 : 1);
    }

    /** One transfer in one UserTransaction; throws if it did not commit. */
    private void transfer(String id, ThreadLocalRandom rnd) throws Exception {
        long amount = rnd.nextLong(1, 51);
        int from = rnd.nextInt(options.accounts());
        int to = rnd.nextInt(options.accounts());
        ut.begin();
        if (pauser != null) {
            pauser.current.set(id + " tx=" + lockstep.transactionManager().getTransaction()); // node:inc:seq
        } else if (id.equals(halter.armedFor)) {
            halter.tx = String.valueOf(lockstep.transactionManager().getTransaction()); // node:inc:seq
        }
        boolean completing = false;
        try {
            resources.work(options.node(), id, amount, from, to);
            completing = true;
            ut.commit();
        } catch (Exception e) {
            resources.rollBackQuietly(completing, e);
            throw e;
        }
    }

    /** Halts the JVM at the armed point of the armed transfer; ignores every point before that. */
    private static final class CrashHalter implements CrashPoint.Hook {
        private final CrashPoint target;
        private volatile String armedFor;
        /** The armed transfer's transaction, {@code node:incarnation:sequence}, once it began. */
        private volatile String tx;
        private volatile boolean pastC3;

        CrashHalter(CrashPoint target) {
            this.target = target;
        }

        void arm(String transferId) {
            armedFor = transferId;
        }

        @Override
        public void reached(CrashPoint point) {
            String id = armedFor;
            if (id == null) {
                return;
            }
            if (target == CrashPoint.C7_MID_RECORD) {
                // C7 is raised by every segment write; only the one after the armed transfer's C3 carries its COMMIT.
                if (point == CrashPoint.C3_ALL_PREPARED) {
                    pastC3 = true;
                    return;
                }
                if (point != CrashPoint.C7_MID_RECORD || !pastC3) {
                    return;
                }
            } else if (point != target) {
                return;
            }
            say(HALT + " point=" + point + " id=" + id + " tx=" + tx + " thread=" + Thread.currentThread().getName());
            Runtime.getRuntime().halt(HALTED);
        }
    }

    /**
     * Stops the first transfer that reaches the point once {@code pause-after} transfers committed, for good: the
     * JVM is meant to be killed from outside while the transfer stands there. Every other transfer passes.
     */
    private final class Pauser implements CrashPoint.Hook {
        private final CrashPoint target;
        private final AtomicBoolean taken = new AtomicBoolean();
        /** The transfer of the calling thread: {@code <id> tx=<node:incarnation:sequence>}. */
        final ThreadLocal<String> current = new ThreadLocal<>();

        Pauser(CrashPoint target) {
            this.target = target;
        }

        @Override
        public void reached(CrashPoint point) {
            if (point != target || committed.get() < options.pauseAfter() || !taken.compareAndSet(false, true)) {
                return;
            }
            say(PAUSED + " point=" + point + " id=" + current.get() + " committed=" + committed.get() + " thread="
                    + Thread.currentThread().getName());
            while (true) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    // stay: only a kill ends this transfer
                }
            }
        }
    }

    /** Halts when standard input reaches EOF: the parent JVM (which never writes to it) is gone. */
    public static void watchParent() {
        Thread watch = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // nothing is ever written; EOF means the parent is gone
                }
            } catch (Exception e) {
                // treated like EOF
            }
            say("standard input closed: the parent JVM is gone, halting");
            Runtime.getRuntime().halt(PARENT_GONE);
        }, "parent-watch");
        watch.setDaemon(true);
        watch.start();
    }

    /** One line on standard output, whole, flushed at once: the parent reads it as it comes. */
    public static void say(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }

    private static String oneLine(Exception e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        String first = w.toString().lines().findFirst().orElse(e.toString());
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root == e ? first : first + " (root: " + root + ")";
    }

    /**
     * The committed count of the last {@value #PROGRESS} (or {@value #LOAD_RUNNING}) line in a load run's output: a
     * lower bound of the transfers the application saw commit (it prints one every 200 ms).
     */
    public static long lastCommitted(String output) {
        long last = 0;
        for (String line : output.lines().toList()) {
            if (line.startsWith(PROGRESS) || line.startsWith(LOAD_RUNNING)) {
                String v = LogfmtReader.parse(line).get("committed");
                if (v != null) {
                    last = Long.parseLong(v);
                }
            }
        }
        return last;
    }

    public enum Mode { CRASH, LOAD, RECOVER }

    /**
     * The app's settings: {@code node}, {@code log-dir}, {@code pg-url}, {@code maria-url} are required;
     * {@code broker-url} (absent: two resources), {@code mode} (crash|load|recover; recover needs a store),
     * {@code point} (a {@link CrashPoint} name, or C1..C7, for crash), {@code before} (transfers committed before
     * the crashing one, default 1), {@code threads} (load, default 4), {@code limit} (transfers per thread in load,
     * 0 = until killed), {@code running-after} (committed transfers before {@value #LOAD_RUNNING}, default 20),
     * {@code accounts} (default 10, opened by the parent), {@code pause-at} (a crash point: load mode pauses one
     * transfer there) and {@code pause-after} (committed transfers before that, default 0); {@code store-schema}
     * (decisions in that schema of the PostgreSQL server instead of {@code log-dir}, with {@code lease-ms} and
     * in-process recovery every {@code recovery-ms}). Logins of servers that are not the harness': {@code pg-user},
     * {@code pg-password}, {@code maria-user}, {@code maria-password}, {@code broker-user}, {@code broker-password}.
     */
    public record Options(String node, Path logDir, Endpoints endpoints, Mode mode, CrashPoint point, int before,
                          int threads, long limit, long runningAfter, int accounts, CrashPoint pauseAt,
                          long pauseAfter, String storeSchema, long leaseMillis, long recoveryMillis) {

        public static Options crash(String node, Path logDir, Endpoints e, CrashPoint point, int before) {
            return new Options(node, logDir, e, Mode.CRASH, point, before, 1, 0, 0, Workload.ACCOUNTS, null, 0,
                    null, 0, 0);
        }

        public static Options load(String node, Path logDir, Endpoints e, int threads, long limit) {
            return new Options(node, logDir, e, Mode.LOAD, null, 0, threads, limit, 20, Workload.ACCOUNTS, null, 0,
                    null, 0, 0);
        }

        /** Recover mode: a restarted node that only finishes what is left; give it a store with {@link #inStore}. */
        public static Options recover(String node, Path logDir, Endpoints e) {
            return new Options(node, logDir, e, Mode.RECOVER, null, 0, 0, 0, 0, Workload.ACCOUNTS, null, 0, null, 0,
                    0);
        }

        /**
         * The same, with the decisions in the PostgreSQL server's schema {@code schema} (docs/cluster.md) instead of
         * the log directory, a lease of {@code lease}, and in-process recovery of every node of the store every
         * {@code recoveryInterval}.
         */
        public Options inStore(String schema, Duration lease, Duration recoveryInterval) {
            return new Options(node, logDir, endpoints, mode, point, before, threads, limit, runningAfter, accounts,
                    pauseAt, pauseAfter, schema, lease.toMillis(), recoveryInterval.toMillis());
        }

        /** Load mode that pauses the first transfer reaching {@code point} once {@code after} transfers committed. */
        public Options pausingAt(CrashPoint point, long after) {
            if (mode != Mode.LOAD) {
                throw new IllegalStateException("pause-at is for load mode; crash mode halts at its point");
            }
            return new Options(node, logDir, endpoints, mode, this.point, before, threads, limit, runningAfter,
                    accounts, point, after, storeSchema, leaseMillis, recoveryMillis);
        }

        public List<String> toArgs() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("node", node);
            m.put("log-dir", logDir.toAbsolutePath().toString());
            m.put("pg-url", endpoints.pgUrl());
            m.put("maria-url", endpoints.mariaUrl());
            if (endpoints.withBroker()) {
                m.put("broker-url", endpoints.brokerUrl());
            }
            putLogin(m, "pg", endpoints.pgLogin(), Endpoints.HARNESS_DB);
            putLogin(m, "maria", endpoints.mariaLogin(), Endpoints.HARNESS_DB);
            putLogin(m, "broker", endpoints.brokerLogin(), Endpoints.Login.NONE);
            m.put("mode", mode.name().toLowerCase());
            if (point != null) {
                m.put("point", point.name());
            }
            m.put("before", Integer.toString(before));
            m.put("threads", Integer.toString(threads));
            m.put("limit", Long.toString(limit));
            m.put("running-after", Long.toString(runningAfter));
            m.put("accounts", Integer.toString(accounts));
            if (pauseAt != null) {
                m.put("pause-at", pauseAt.name());
                m.put("pause-after", Long.toString(pauseAfter));
            }
            if (storeSchema != null) {
                m.put("store-schema", storeSchema);
                m.put("lease-ms", Long.toString(leaseMillis));
                m.put("recovery-ms", Long.toString(recoveryMillis));
            }
            List<String> args = new ArrayList<>();
            m.forEach((k, v) -> args.add("--" + k + "=" + v));
            return args;
        }

        /** Only a login other than the harness' goes on the command line. */
        private static void putLogin(Map<String, String> m, String server, Endpoints.Login login,
                Endpoints.Login harness) {
            if (!login.equals(harness)) {
                if (login.user() != null) {
                    m.put(server + "-user", login.user());
                }
                if (login.password() != null) {
                    m.put(server + "-password", login.password());
                }
            }
        }

        public static Options parse(String[] args) {
            Map<String, String> m = new LinkedHashMap<>();
            for (String a : args) {
                int eq = a.indexOf('=');
                if (!a.startsWith("--") || eq < 0) {
                    throw new IllegalArgumentException("expected --key=value, got '" + a + "'");
                }
                m.put(a.substring(2, eq), a.substring(eq + 1));
            }
            Mode mode = Mode.valueOf(get(m, "mode", "crash").toUpperCase());
            String p = get(m, "point", null);
            CrashPoint point = p == null ? null : crashPoint(p);
            if (mode == Mode.CRASH && point == null) {
                throw new IllegalArgumentException("crash mode needs --point=C1..C7");
            }
            if (mode == Mode.RECOVER && get(m, "store-schema", null) == null) {
                throw new IllegalArgumentException("recover mode needs --store-schema: with the file log a restarted "
                        + "node leaves its past to the recovery service (in-process recovery is off in this app)");
            }
            String pause = get(m, "pause-at", null);
            Endpoints e = new Endpoints(required(m, "pg-url"), required(m, "maria-url"), get(m, "broker-url", null),
                    login(m, "pg", Endpoints.HARNESS_DB), login(m, "maria", Endpoints.HARNESS_DB),
                    login(m, "broker", Endpoints.Login.NONE));
            return new Options(required(m, "node"), Path.of(required(m, "log-dir")), e,
                    mode, point, Integer.parseInt(get(m, "before", "1")), Integer.parseInt(get(m, "threads", "4")),
                    Long.parseLong(get(m, "limit", "0")), Long.parseLong(get(m, "running-after", "20")),
                    Integer.parseInt(get(m, "accounts", Integer.toString(Workload.ACCOUNTS))),
                    pause == null ? null : crashPoint(pause), Long.parseLong(get(m, "pause-after", "0")),
                    get(m, "store-schema", null), Long.parseLong(get(m, "lease-ms", "0")),
                    Long.parseLong(get(m, "recovery-ms", "0")));
        }

        private static Endpoints.Login login(Map<String, String> m, String server, Endpoints.Login dflt) {
            String user = get(m, server + "-user", null);
            String password = get(m, server + "-password", null);
            return user == null && password == null ? dflt : new Endpoints.Login(user, password);
        }

        /** "C4", "c4" or "C4_DECISION_FORCED". */
        static CrashPoint crashPoint(String s) {
            for (CrashPoint cp : CrashPoint.values()) {
                if (cp.name().equalsIgnoreCase(s) || cp.name().startsWith(s.toUpperCase() + "_")) {
                    return cp;
                }
            }
            throw new IllegalArgumentException("unknown crash point '" + s + "': C1..C7");
        }

        private static String get(Map<String, String> m, String key, String dflt) {
            String v = m.get(key);
            return v != null ? v : System.getProperty("transfer." + key, dflt);
        }

        private static String required(Map<String, String> m, String key) {
            String v = get(m, key, null);
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException("missing --" + key + "=... (or -Dtransfer." + key + ")");
            }
            return v;
        }
    }
}
