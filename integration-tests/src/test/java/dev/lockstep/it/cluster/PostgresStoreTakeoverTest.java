package dev.lockstep.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.jdbc.JdbcRecoverableResource;
import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.recovery.InDoubtTransaction;
import dev.lockstep.tm.recovery.Recovery;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.ScanReport;
import dev.lockstep.tm.spi.CrashPoint;
import dev.lockstep.tm.store.PostgresDecisionStore;
import io.agroal.api.AgroalDataSource;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Takeover of a node's incarnation in the database store by a recovery of all nodes, with the node still running:
 * the zombie case (docs/cluster.md). The node is held at a crash point while its lease expires; a recovery takes the
 * lease, finishes the branches on the private PostgreSQL (two databases' worth of branches: two XA pools), and then
 * the node goes on. Whatever it does then, every branch has the outcome recovery gave it.
 */
class PostgresStoreTakeoverTest {

    private static final String SCHEMA = "ls_takeover";
    private static AgroalDataSource plain;
    private static AgroalDataSource plainB;

    @BeforeAll
    static void setUp() throws SQLException {
        PostgresServer pg = Servers.postgres();
        plain = LockstepDataSources.decisionStore(pg.jdbcUrl(), PostgresServer.USER, PostgresServer.PASSWORD, 8);
        plainB = LockstepDataSources.decisionStore(pg.jdbcUrl(PostgresServer.SECOND_DATABASE), PostgresServer.USER,
                PostgresServer.PASSWORD, 2);
        exec(plain, "DROP TABLE IF EXISTS take_a", "CREATE TABLE take_a (id text)");
        exec(plainB, "DROP TABLE IF EXISTS take_b", "CREATE TABLE take_b (id text)");
    }

    @AfterAll
    static void tearDown() {
        plain.close();
        plainB.close();
    }

    private static PostgresDecisionStore store() throws SQLException {
        exec(plain, "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        // A lease far longer than the test: only the test's UPDATE makes it expire, never a missed renewal.
        return PostgresDecisionStore.builder(plain).schema(SCHEMA).lease(Duration.ofMinutes(2)).build();
    }

    @Test
    void aDecidedTransactionOfAPausedNodeIsCommittedByTheTaker() throws Exception {
        Outcome o = runPausedAt(CrashPoint.C4_DECISION_FORCED, "decided");
        assertEquals(2, o.report.actions().stream().filter(a -> a.kind().name().equals("COMMIT") && a.ok()).count(),
                o.report.toString());
        assertEquals(1, count("take_a", "decided"), "committed by the taker");
        assertEquals(1, countB("decided"));
        assertEquals(0, count(SCHEMA + ".incarnation"), "the taker retired the incarnation");
        // The paused node then finds its branches finished by someone else: an error at worst, never another outcome.
        System.out.println("paused node after takeover (decided): " + o.nodeResult);
        assertEquals(1, count("take_a", "decided"));
        assertEquals(1, countB("decided"));
    }

    @Test
    void anUndecidedTransactionOfAPausedNodeIsRolledBackAndItsLateCommitIsFenced() throws Exception {
        Outcome o = runPausedAt(CrashPoint.C3_ALL_PREPARED, "undecided");
        assertEquals(0, count("take_a", "undecided"), "presumed abort by the taker");
        assertEquals(0, countB("undecided"));
        assertInstanceOf(RollbackException.class, o.nodeResult, "the zombie's late COMMIT is refused by the fence");
        String chain = causes((Throwable) o.nodeResult);
        assertTrue(chain.contains("LKS-043"), chain);
        assertEquals(0, count(SCHEMA + ".decision"), "the fence wrote nothing");
    }

    @Test
    void aLiveNodeIsLeftAlone() throws Exception {
        PostgresDecisionStore store = store();
        try (Lockstep ls = Lockstep.builder().nodeId("pod-live").decisionStore(store).build();
                Recovery recovery = Recovery.builder().decisionStore(store).allNodes().build()) {
            ScanReport report = recovery.scan();
            assertTrue(report.clean(), report.toString());
            assertEquals(1, count(SCHEMA + ".incarnation WHERE epoch = 1 AND id = " + ls.incarnation()),
                    "the lease is still the node's");
        }
    }

    /**
     * A recovery that keeps a taken incarnation across scans (the service's daemon) and whose lease on it lapsed while
     * another recovery took it: at its next scan it sees the other holder and leaves the incarnation alone, instead of
     * working on a copy it no longer holds.
     */
    @Test
    void aRecoveryThatLostItsTakenLeaseLooksAgain() throws Exception {
        PostgresDecisionStore store = store();
        PostgresServer pg = Servers.postgres();
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CrashPoint.Hook hook = pauseAt(CrashPoint.C4_DECISION_FORCED, reached, release);
        try (Lockstep ls = Lockstep.builder().nodeId("pod-l").decisionStore(store).crashHook(hook)
                .inProcessRecovery(false).build();
                AgroalDataSource a = LockstepDataSources.postgresql(ls, "orders-pg", pg.jdbcUrl(), PostgresServer.USER,
                        PostgresServer.PASSWORD, 2);
                AgroalDataSource b = LockstepDataSources.postgresql(ls, "audit-pg",
                        pg.jdbcUrl(PostgresServer.SECOND_DATABASE), PostgresServer.USER, PostgresServer.PASSWORD, 2)) {
            TransactionManager tm = ls.transactionManager();
            CompletableFuture<Object> node = CompletableFuture.supplyAsync(() -> {
                try {
                    tm.begin();
                    insert(a, "take_a", "lapsed");
                    insert(b, "take_b", "lapsed");
                    tm.commit();
                    return "committed";
                } catch (Exception e) {
                    return e;
                }
            });
            assertTrue(reached.await(30, TimeUnit.SECONDS));
            try {
                exec(plain, "UPDATE " + SCHEMA + ".incarnation SET expires_at = clock_timestamp() - interval '1 s'");
                // No resource: the recovery takes the incarnation over but cannot finish it, so it keeps it.
                try (Recovery recovery = Recovery.builder().decisionStore(store).allNodes().build()) {
                    ScanReport first = recovery.scan();
                    assertTrue(first.actions().stream().anyMatch(x -> x.kind() == RecoveryAction.Kind.TAKE_OVER),
                            first.toString());
                    assertEquals(List.of(), first.liveDecisions(), "ours now, not a live owner's: " + first);
                    exec(plain, "UPDATE " + SCHEMA + ".incarnation SET epoch = epoch + 1, holder = 'another "
                            + "recovery', expires_at = clock_timestamp() + interval '1 min' WHERE id = "
                            + ls.incarnation());
                    ScanReport second = recovery.scan();
                    assertEquals(1, second.liveDecisions().size(), "the other holder's, not our stale copy: "
                            + second);
                    assertEquals(InDoubtTransaction.Owner.ALIVE, second.liveDecisions().get(0).owner());
                    assertTrue(second.actions().stream().allMatch(RecoveryAction::ok), second.toString());
                }
            } finally {
                release.countDown();
            }
            assertEquals("committed", node.get(60, TimeUnit.SECONDS), "the decided transaction commits");
        }
        assertEquals(1, count("take_a", "lapsed"));
        assertEquals(1, countB("lapsed"));
        assertEquals(0, count("pg_prepared_xacts"));
    }

    private record Outcome(ScanReport report, Object nodeResult) {
    }

    /** Runs one transaction on node "pod-z" held at {@code point}, expires its lease, scans, then lets it go on. */
    private Outcome runPausedAt(CrashPoint point, String id) throws Exception {
        PostgresDecisionStore store = store();
        PostgresServer pg = Servers.postgres();
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CrashPoint.Hook hook = pauseAt(point, reached, release);
        try (Lockstep ls = Lockstep.builder().nodeId("pod-z").decisionStore(store).crashHook(hook)
                .retryInitialDelay(Duration.ofMillis(200)).retryMaxDelay(Duration.ofSeconds(1)).build();
                AgroalDataSource a = LockstepDataSources.postgresql(ls, "orders-pg", pg.jdbcUrl(), PostgresServer.USER,
                        PostgresServer.PASSWORD, 2);
                AgroalDataSource b = LockstepDataSources.postgresql(ls, "audit-pg",
                        pg.jdbcUrl(PostgresServer.SECOND_DATABASE), PostgresServer.USER, PostgresServer.PASSWORD, 2)) {
            TransactionManager tm = ls.transactionManager();
            CompletableFuture<Object> node = CompletableFuture.supplyAsync(() -> {
                try {
                    tm.begin();
                    insert(a, "take_a", id);
                    insert(b, "take_b", id);
                    tm.commit();
                    return "committed";
                } catch (Exception e) {
                    return e;
                }
            });
            assertTrue(reached.await(30, TimeUnit.SECONDS), "the node reached " + point);
            exec(plain, "UPDATE " + SCHEMA + ".incarnation SET expires_at = clock_timestamp() - interval '1 s'");
            ScanReport report;
            try (Recovery recovery = Recovery.builder().decisionStore(store).allNodes()
                    .resources(List.of(JdbcRecoverableResource.postgresql("orders-pg", pg.jdbcUrl(),
                            PostgresServer.USER, PostgresServer.PASSWORD), JdbcRecoverableResource.postgresql(
                            "audit-pg", pg.jdbcUrl(PostgresServer.SECOND_DATABASE), PostgresServer.USER,
                            PostgresServer.PASSWORD)))
                    .build()) {
                report = recovery.scan();
            }
            System.out.println("takeover at " + point + ": " + report);
            release.countDown();
            Object result = node.get(60, TimeUnit.SECONDS);
            assertEquals(0, count("pg_prepared_xacts"), "nothing stays prepared (the view covers both databases)");
            return new Outcome(report, result);
        }
    }

    /** Holds the first transaction that reaches {@code point} until {@code release}, after telling {@code reached}. */
    private static CrashPoint.Hook pauseAt(CrashPoint point, CountDownLatch reached, CountDownLatch release) {
        return p -> {
            if (p == point && reached.getCount() > 0) {
                reached.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    private static void insert(AgroalDataSource ds, String table, String id) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO " + table + " VALUES ('" + id + "')");
        }
    }

    private static long count(String table, String id) throws SQLException {
        return count(table + " WHERE id = '" + id + "'");
    }

    private static long count(String from) throws SQLException {
        try (Connection c = plain.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + from)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long countB(String id) throws SQLException {
        try (Connection c = plainB.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM take_b WHERE id = '" + id + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void exec(AgroalDataSource ds, String... sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static String causes(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c).append(" <- ");
        }
        return b.toString();
    }
}
