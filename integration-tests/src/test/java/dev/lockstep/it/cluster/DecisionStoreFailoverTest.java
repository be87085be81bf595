package dev.lockstep.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.demo.transfer.Checker;
import dev.lockstep.demo.transfer.Endpoints;
import dev.lockstep.demo.transfer.TransferResources;
import dev.lockstep.demo.transfer.TransferTables;
import dev.lockstep.demo.transfer.Workload;
import dev.lockstep.demo.transfer.XaBranches;
import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.store.PostgresDecisionStore;
import io.agroal.api.AgroalDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The decision database fails over under load (docs/cluster.md, "The decision database").
 *
 * <p>Scenario: the decisions of two nodes (each a Lockstep in this JVM with its own store pool and in-process recovery
 * of every node of the store) live on a private PostgreSQL primary with a synchronous standby; the nodes reach it
 * through a multi-host URL with {@code targetServerType=primary}. The transfers go to the harness' own PostgreSQL (a
 * server apart from the decision database), MariaDB and Artemis. The URL is the one docs/cluster.md recommends. Under load the primary is killed with SIGKILL and
 * the standby promoted. Expected:
 * <ul>
 * <li>every transfer whose {@code commit()} returned is committed in all three resources (the standby had its COMMIT:
 * no acknowledged decision is lost);</li>
 * <li>a commit in flight at the kill gets a definite answer: the store settles the broken write on the promoted
 * server (LKS-047), so it either returns normally or rolls back with an LKS id; should one still end unknown (LKS-133),
 * it is finished by recovery as the promoted store says: committed if its COMMIT row is there;</li>
 * <li>both nodes go on committing through the promoted server without a restart (the failover is shorter than the
 * lease);</li>
 * <li>at the end nothing is in doubt on any server, every transfer is in all resources or none, every message is
 * delivered once and the balances add up.</li>
 * </ul>
 */
class DecisionStoreFailoverTest {

    private static final Duration LEASE = Duration.ofSeconds(6);
    private static final Duration SCAN_INTERVAL = Duration.ofSeconds(1);
    private static final int THREADS = 2;
    private static final int COMMITS_BEFORE = 20;
    private static final int COMMITS_AFTER = 20;
    private static final Duration RESUME_LIMIT = Duration.ofSeconds(30);
    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(40);
    private static final Pattern LKS_ID = Pattern.compile("LKS-\\d{3}");
    private static final Pattern GTRID = Pattern.compile("\\(gtrid ([0-9a-f]+)\\)");

    private final List<Node> nodes = new ArrayList<>();
    private PostgresServer primary;
    private PostgresServer standby;

    @AfterEach
    void stopEverything() {
        for (Node n : nodes) {
            n.close();
        }
        if (standby != null) {
            standby.stop();
        }
        if (primary != null) {
            primary.stop();
        }
    }

    @Test
    void theNodesCommitThroughThePromotedStandbyAndNoAcknowledgedDecisionIsLost() throws Exception {
        Endpoints all = Endpoints.ofHarness(true);
        cleanSlate(all);
        primary = new PostgresServer();
        primary.start();
        standby = primary.startSynchronousStandby();
        String storeUrl = "jdbc:postgresql://127.0.0.1:" + primary.port() + ",127.0.0.1:" + standby.port() + "/"
                + PostgresServer.DATABASE + "?targetServerType=primary&connectTimeout=5&socketTimeout=30&tcpKeepAlive=true";
        String schema = "failover_" + Long.toHexString(System.nanoTime() & 0xffffff);
        for (String letter : List.of("a", "b")) {
            nodes.add(new Node(nodeId(letter), all, storeUrl, schema));
        }
        for (Node n : nodes) {
            n.startLoad();
        }
        for (Node n : nodes) {
            n.awaitCommits(COMMITS_BEFORE, Duration.ofSeconds(60));
        }

        long killed = System.nanoTime();
        primary.kill();
        standby.promote();
        long promoted = System.nanoTime();
        // What the promoted store holds right after the failover: the COMMITs that reached the standby.
        Set<String> committedInStore = commitRowsOf(standby, schema);

        Map<String, Long> resumedMillis = new LinkedHashMap<>();
        for (Node n : nodes) {
            long committedAtPromotion = n.committed.size();
            n.awaitCommits(committedAtPromotion + COMMITS_AFTER, RESUME_LIMIT);
            resumedMillis.put(n.id, (n.firstCommitAfter(promoted) - killed) / 1_000_000);
        }
        for (Node n : nodes) {
            n.stopLoad();
        }

        long settleDeadline = System.nanoTime() + SETTLE_LIMIT.toNanos();
        for (Node n : nodes) {
            Checker checker = Checker.forRunAmongOthers(all, n.id);
            while (!checker.inDoubt().isEmpty() && System.nanoTime() < settleDeadline) {
                Thread.sleep(200);
            }
            assertEquals(List.of(), checker.inDoubt(), "node " + n.id + " (still running) left branches in doubt "
                    + SETTLE_LIMIT + " after the load stopped; its failures: " + n.failures);
        }

        StringBuilder summary = new StringBuilder(String.format("[failover] kill -9 of the primary to promotion "
                + "done: %d ms; first commit returned after the promotion, from the kill: %s ms", (promoted - killed) / 1_000_000,
                resumedMillis));
        for (Node n : nodes) {
            Checker.Report report = Checker.forRunAmongOthers(all, n.id).check();
            assertTrue(report.ok(), report.toString());
            for (String id : n.committed.keySet()) {
                assertEquals(Checker.Outcome.COMMITTED, report.outcomeOf(id), "transfer " + id + " of " + n.id
                        + " returned from commit() but is not committed everywhere: " + report);
            }
            Map<String, Integer> errors = new TreeMap<>();
            for (Failure f : n.failures) {
                assertTrue(f.lksId != null, "transfer " + f.id + " failed without an LKS id: " + f.chain);
                // The failover is far shorter than the lease: the store settles every broken write (LKS-047).
                assertEquals("RollbackException", f.type, "transfer " + f.id + " in flight at the kill got no "
                        + "definite answer: " + f.chain);
                errors.merge(f.lksId + " " + f.type, 1, Integer::sum);
                if (f.gtrid != null && committedInStore.contains(f.gtrid)) {
                    assertEquals(Checker.Outcome.COMMITTED, report.outcomeOf(f.id), "transfer " + f.id + " of unknown "
                            + "outcome has its COMMIT in the promoted store, so recovery must commit it: " + f.chain);
                }
            }
            summary.append(String.format("%n[failover] node %s: %d committed, failed %s; %s", n.id,
                    n.committed.size(), errors, report));
            for (Failure f : n.failures.stream().limit(3).toList()) {
                summary.append("\n[failover]   e.g. ").append(f.id).append(": ").append(f.chain);
            }
        }
        System.out.println(summary);
        for (Node n : nodes) {
            n.close();
        }
        assertEquals(0, count(standby, "SELECT count(*) FROM " + schema + ".incarnation"),
                "both nodes closed with nothing open: their incarnations are retired; left: " + incarnations(standby,
                        schema));
    }

    /** One transfer that did not commit: its id, the first LKS id of its exception chain, and the whole chain. */
    private record Failure(String id, String type, String lksId, String gtrid, String chain) {

        static Failure of(String id, Exception e) {
            StringBuilder chain = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                chain.append(chain.length() == 0 ? "" : " <- ").append(t);
            }
            Matcher lks = LKS_ID.matcher(chain);
            Matcher gtrid = GTRID.matcher(e.getMessage() == null ? "" : e.getMessage());
            return new Failure(id, e.getClass().getSimpleName(), lks.find() ? lks.group() : null,
                    gtrid.find() ? gtrid.group(1) : null, chain.toString());
        }
    }

    /** One application node: a Lockstep with its decisions in the store, its resources, and its transfer threads. */
    private static final class Node implements AutoCloseable {
        final String id;
        final AgroalDataSource storePool;
        final Lockstep lockstep;
        final TransferResources resources;
        /** Transfer id to the time its commit() returned. */
        final Map<String, Long> committed = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
        final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<Thread> threads = new ArrayList<>();
        private boolean closed;

        Node(String id, Endpoints all, String storeUrl, String schema) throws Exception {
            this.id = id;
            TransferTables.openAccounts(all, id, Workload.ACCOUNTS, Workload.INITIAL);
            storePool = LockstepDataSources.decisionStore(storeUrl, PostgresServer.USER, PostgresServer.PASSWORD, 4);
            lockstep = Lockstep.builder().nodeId(id)
                    .decisionStore(PostgresDecisionStore.builder(storePool).schema(schema).lease(LEASE).build())
                    .recoveryInterval(SCAN_INTERVAL).defaultTimeout(Duration.ofSeconds(30)).build();
            resources = TransferResources.openThree(lockstep, all, THREADS + 2);
        }

        void startLoad() {
            for (int t = 1; t <= THREADS; t++) {
                int thread = t;
                Thread th = new Thread(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    for (long n = 0; running.get(); n++) {
                        String transfer = id + "-" + thread + "-" + n;
                        try {
                            resources.transfer(id, transfer, rnd.nextLong(1, 51), rnd.nextInt(Workload.ACCOUNTS),
                                    rnd.nextInt(Workload.ACCOUNTS));
                            committed.put(transfer, System.nanoTime());
                        } catch (Exception e) {
                            failures.add(Failure.of(transfer, e));
                            sleepQuietly(50); // a node that cannot decide is not hammered in a tight loop
                        }
                    }
                }, "transfer-" + id + "-" + t);
                th.start();
                threads.add(th);
            }
        }

        void awaitCommits(long n, Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (committed.size() < n && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(committed.size() >= n, "node " + id + " committed " + committed.size() + " transfers, not "
                    + n + ", within " + limit + "; its last failures: " + failures.stream().skip(Math.max(0,
                    failures.size() - 3)).toList());
        }

        long firstCommitAfter(long nanos) {
            synchronized (committed) {
                return committed.values().stream().filter(t -> t > nanos).min(Long::compare).orElseThrow();
            }
        }

        void stopLoad() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(60_000);
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            running.set(false);
            try {
                stopLoad();
                resources.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lockstep.close();
            storePool.close();
        }
    }

    /** The gtrids (hex) of the COMMIT records in the store's schema on {@code server}. */
    private static Set<String> commitRowsOf(PostgresServer server, String schema) throws Exception {
        Set<String> gtrids = new HashSet<>();
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT encode(gtrid, 'hex') FROM " + schema + ".decision")) {
            while (rs.next()) {
                gtrids.add(rs.getString(1));
            }
        }
        return gtrids;
    }

    /** Each incarnation row with its epoch and how many records it holds, for a failure message. */
    private static List<String> incarnations(PostgresServer server, String schema) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT i.id, i.node_id, i.epoch, (SELECT count(*) FROM " + schema
                        + ".decision d WHERE d.incarnation = i.id) FROM " + schema + ".incarnation i ORDER BY i.id")) {
            while (rs.next()) {
                rows.add("incarnation " + rs.getLong(1) + " of " + rs.getString(2) + " at epoch " + rs.getLong(3)
                        + " with " + rs.getLong(4) + " record(s)");
            }
        }
        return rows;
    }

    private static long count(PostgresServer server, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Node ids start with "crash-" like the crash suite's, so any clean slate of it rolls back our leftovers. */
    private static String nodeId(String letter) {
        return "crash-fo" + letter + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000,
                0x1000000));
    }

    private static void cleanSlate(Endpoints all) throws Exception {
        XaBranches.rollBack(all, n -> n.startsWith("crash-"));
        Checker.purgeQueue(all);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
