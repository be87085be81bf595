package dev.lockstep.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.spi.LockstepXids;
import dev.lockstep.tm.spi.NamedXAResource;
import dev.lockstep.tm.store.PostgresDecisionStore;
import io.agroal.api.AgroalDataSource;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The database decision store on the harness's private PostgreSQL (docs/cluster.md): its schema, group commit, the
 * END clean-up, the lease's lifecycle and the fence, each against the real server.
 */
class PostgresDecisionStoreTest {

    private static AgroalDataSource pool;

    @BeforeAll
    static void pool() throws SQLException {
        PostgresServer pg = Servers.postgres();
        pool = LockstepDataSources.decisionStore(pg.jdbcUrl(), PostgresServer.USER, PostgresServer.PASSWORD, 8);
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    private static PostgresDecisionStore store(String schema) throws SQLException {
        exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        return PostgresDecisionStore.builder(pool).schema(schema).lease(Duration.ofSeconds(3)).build();
    }

    @Test
    void aMissingSchemaThatMayNotBeCreatedIsRefusedWithItsDdl() throws SQLException {
        exec("DROP SCHEMA IF EXISTS ls_refused CASCADE");
        PostgresDecisionStore store = PostgresDecisionStore.builder(pool).schema("ls_refused").createSchema(false)
                .build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Lockstep.builder().nodeId("refused-1").decisionStore(store).build());
        assertTrue(e.getMessage().contains("LKS-040"), e.getMessage());
        assertTrue(e.getMessage().contains("CREATE TABLE ls_refused.decision"), e.getMessage());
        assertEquals(0, queryLong("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'ls_refused'"));
    }

    @Test
    void aSchemaOfAnotherVersionIsRefused() throws SQLException {
        PostgresDecisionStore store = store("ls_version");
        Lockstep.builder().nodeId("version-1").decisionStore(store).build().close();
        exec("UPDATE ls_version.schema_version SET version = 99");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Lockstep.builder().nodeId("version-1").decisionStore(store).build());
        assertTrue(e.getMessage().contains("LKS-041") && e.getMessage().contains("version 99"), e.getMessage());
    }

    @Test
    void concurrentCommitsShareStatementsAndEndsEmptyTheTable() throws Exception {
        PostgresDecisionStore store = store("ls_group");
        try (Lockstep ls = Lockstep.builder().nodeId("group-1").decisionStore(store).build()) {
            assertEquals(1, queryLong("SELECT count(*) FROM ls_group.incarnation WHERE id = " + ls.incarnation()));
            TransactionManager tm = ls.transactionManager();
            int threads = 16;
            int each = 40;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                runs.add(pool.submit(() -> {
                    ScriptedXAResource a = new ScriptedXAResource("a");
                    ScriptedXAResource b = new ScriptedXAResource("b");
                    for (int i = 0; i < each; i++) {
                        tm.begin();
                        tm.getTransaction().enlistResource(NamedXAResource.wrap("a", a));
                        tm.getTransaction().enlistResource(NamedXAResource.wrap("b", b));
                        tm.commit();
                    }
                    assertEquals(each, a.committed().size());
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
            pool.shutdown();
            long records = ls.metrics().logRecords();
            long statements = ls.metrics().logForces();
            assertEquals(threads * each, records);
            assertTrue(statements < records, statements + " statements for " + records + " COMMITs: no batching");
            System.out.printf("database store: %d COMMITs in %d statements (%.1f per statement)%n", records,
                    statements, (double) records / statements);
            awaitCount("SELECT count(*) FROM ls_group.decision", 0);
        }
        assertEquals(0, queryLong("SELECT count(*) FROM ls_group.incarnation"), "an empty incarnation is deleted");
    }

    @Test
    void aTakenOverNodeCannotDecideAndRollsBack() throws Exception {
        PostgresDecisionStore store = store("ls_fence");
        try (Lockstep ls = Lockstep.builder().nodeId("fenced-1").decisionStore(store).build()) {
            TransactionManager tm = ls.transactionManager();
            ScriptedXAResource a = new ScriptedXAResource("a");
            ScriptedXAResource b = new ScriptedXAResource("b");
            tm.begin();
            tm.getTransaction().enlistResource(NamedXAResource.wrap("a", a));
            tm.getTransaction().enlistResource(NamedXAResource.wrap("b", b));
            // A taker bumps the epoch (as a recovery does once the lease expired) while the node is still running.
            exec("UPDATE ls_fence.incarnation SET epoch = epoch + 1, holder = 'taker' WHERE id = " + ls.incarnation());
            RollbackException e = assertThrows(RollbackException.class, tm::commit);
            String chain = causes(e);
            assertTrue(chain.contains("LKS-043") && chain.contains("taken over by taker"), chain);
            assertEquals(List.of(), a.committed());
            assertEquals(1, a.rolledBack().size());
            assertEquals(1, b.rolledBack().size());
            assertEquals(0, queryLong("SELECT count(*) FROM ls_fence.decision"), "the fence wrote nothing");
            IllegalStateException refused = assertThrows(IllegalStateException.class, tm::begin,
                    "a node that can never decide again refuses new transactions");
            assertTrue(refused.getMessage().contains("LKS-043")
                    && refused.getMessage().contains("no transaction can begin"), refused.getMessage());
        }
        assertEquals(1, queryLong("SELECT count(*) FROM ls_fence.incarnation"), "the taker's row stays the taker's");
    }

    @Test
    void anExpiredLeaseIsFencedEvenBeforeAnyoneTakesIt() throws Exception {
        PostgresDecisionStore store = store("ls_expired");
        try (Lockstep ls = Lockstep.builder().nodeId("expired-1").decisionStore(store).build()) {
            TransactionManager tm = ls.transactionManager();
            tm.begin();
            tm.getTransaction().enlistResource(NamedXAResource.wrap("a", new ScriptedXAResource("a")));
            tm.getTransaction().enlistResource(NamedXAResource.wrap("b", new ScriptedXAResource("b")));
            exec("UPDATE ls_expired.incarnation SET expires_at = clock_timestamp() - interval '1 s'");
            RollbackException e = assertThrows(RollbackException.class, tm::commit);
            assertTrue(causes(e).contains("expired without renewal"), causes(e));
        }
    }

    @Test
    void theLeaseIsRenewedByTheDatabaseClock() throws Exception {
        PostgresDecisionStore store = store("ls_renew");
        try (Lockstep ls = Lockstep.builder().nodeId("renew-1").decisionStore(store).build()) {
            String sql = "SELECT extract(epoch FROM expires_at - clock_timestamp()) * 1000 FROM ls_renew.incarnation";
            long first = queryLong(sql);
            Thread.sleep(2_500);
            long later = queryLong(sql);
            assertTrue(first > 1_000 && later > 1_000, "lease left: " + first + " ms, then " + later + " ms");
        }
    }

    @Test
    void anUnfinishedDecisionKeepsItsIncarnationAndTheNextStartSeesIt() throws Exception {
        PostgresDecisionStore store = store("ls_restart");
        long first;
        try (Lockstep ls = Lockstep.builder().nodeId("restart-1").decisionStore(store)
                .retryInitialDelay(Duration.ofSeconds(30)).retryMaxDelay(Duration.ofSeconds(60)).build()) {
            first = ls.incarnation();
            TransactionManager tm = ls.transactionManager();
            ScriptedXAResource b = new ScriptedXAResource("b").failOn(ScriptedXAResource.Verb.COMMIT,
                    XAException.XAER_RMFAIL, 100);
            tm.begin();
            tm.getTransaction().enlistResource(NamedXAResource.wrap("a", new ScriptedXAResource("a")));
            tm.getTransaction().enlistResource(NamedXAResource.wrap("b", b));
            tm.commit();
        }
        assertEquals(1, queryLong("SELECT count(*) FROM ls_restart.decision WHERE incarnation = " + first));
        assertTrue(queryLong("SELECT count(*) FROM ls_restart.incarnation WHERE id = " + first
                + " AND expires_at <= clock_timestamp()") == 1, "the lease is released at close");
        try (Lockstep ls = Lockstep.builder().nodeId("restart-1").decisionStore(store).build()) {
            assertTrue(ls.incarnation() > first);
            assertEquals(1, ls.pendingDecisionsAtStart().size());
            assertNotNull(ls.pendingDecisionsAtStart().get(0).commit(), "the COMMIT record, not only heuristics");
        }
    }

    @Test
    void aPodNameLongerThanAnXidHoldsIsCarriedByAShortNameTheStoreKeeps() throws Exception {
        PostgresDecisionStore store = store("ls_long");
        String pod = "orders-service-deployment-7d9f8b6c5d-x2k4q-with-a-long-suffix12";
        assertEquals(63, pod.length());
        String first;
        long firstIncarnation;
        try (Lockstep ls = Lockstep.builder().nodeId(pod).decisionStore(store).inProcessRecovery(false)
                .retryInitialDelay(Duration.ofMinutes(10)).retryMaxDelay(Duration.ofMinutes(10)).build()) {
            firstIncarnation = ls.incarnation();
            TransactionManager tm = ls.transactionManager();
            ScriptedXAResource a = new ScriptedXAResource("a");
            ScriptedXAResource b = new ScriptedXAResource("b").failOn(ScriptedXAResource.Verb.COMMIT,
                    XAException.XAER_RMFAIL, 100);
            tm.begin();
            tm.getTransaction().enlistResource(NamedXAResource.wrap("a", a));
            tm.getTransaction().enlistResource(NamedXAResource.wrap("b", b));
            tm.commit();
            first = LockstepXids.nodeIdOf(a.startedXids().get(0));
        }
        assertTrue(first.length() <= LockstepXids.MAX_NODE_ID_LENGTH && first.startsWith(pod.substring(0, 20))
                && first.matches(".*\\.[0-9a-f]+"), first);
        assertEquals(pod, queryString("SELECT name FROM ls_long.node WHERE node_id = '" + first + "'"));
        try (Lockstep again = Lockstep.builder().nodeId(pod).decisionStore(store).inProcessRecovery(false).build()) {
            assertTrue(again.incarnation() > firstIncarnation);
            assertEquals(1, again.pendingDecisionsAtStart().size(), "the same node, found by its short name");
            ScriptedXAResource c = new ScriptedXAResource("c");
            again.transactionManager().begin();
            again.transactionManager().getTransaction().enlistResource(NamedXAResource.wrap("c", c));
            again.transactionManager().commit();
            assertEquals(first, LockstepXids.nodeIdOf(c.startedXids().get(0)), "the same short name every start");
        }
        IllegalArgumentException fileLog = assertThrows(IllegalArgumentException.class, () -> Lockstep.builder()
                .nodeId(pod).logDirectory(java.nio.file.Files.createTempDirectory("ls-long")).build());
        assertTrue(fileLog.getMessage().contains("at most 34"), fileLog.getMessage());
    }

    private static String queryString(String sql) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String causes(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c).append(" <- ");
        }
        return b.toString();
    }

    private static void awaitCount(String sql, long expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long n;
        while ((n = queryLong(sql)) != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(expected, n, sql);
    }

    private static void exec(String sql) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long queryLong(String sql) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
