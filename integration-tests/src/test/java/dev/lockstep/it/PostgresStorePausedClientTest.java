package dev.lockstep.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.store.PostgresDecisionStore;
import io.agroal.api.AgroalDataSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A node paused in the middle of talking to the decision store (a long GC pause, SIGSTOP, a frozen VM) must hold up
 * no other node: whatever it holds in the database, a lease's time at most. Found by the cluster test's zombie, which
 * once stopped inside the schema check of its recovery scan, holding an advisory lock that every other node's scan
 * then waited for, so nobody took its lease over.
 */
class PostgresStorePausedClientTest {

    private static final Duration LEASE = Duration.ofSeconds(2);
    /** How long a second node may take to start beside a paused one: the lease, then the server's check, and slack. */
    private static final long START_LIMIT_MILLIS = LEASE.toMillis() + 15_000;

    /*
     * Scenario: the schema does not exist. A node starts and is paused right after the k-th statement it runs inside
     * a transaction, for k = 1, 2, ... until a start runs fewer; meanwhile a second node starts on the same store and
     * commits nothing yet.
     * Expected: the second node is up within a lease plus slack at every k, the paused one, released, either started
     * (its transaction was done) or failed naming the store; the schema exists once and is usable by both.
     */
    @Test
    void aNodePausedInsideAStoreTransactionHoldsUpNoOtherNode() throws Exception {
        PostgresServer pg = Servers.postgres();
        try (AgroalDataSource pool = LockstepDataSources.decisionStore(pg.jdbcUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD, 4)) {
            int points = 0;
            for (int point = 1; ; point++) {
                int k = point;
                String schema = "ls_paused_" + k;
                Resources.exec(pool, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                PausingDataSource pausing = new PausingDataSource(pool, k);
                CompletableFuture<Lockstep> paused = CompletableFuture.supplyAsync(
                        () -> node("paused-" + k, pausing.dataSource(), schema));
                boolean didPause = pausing.awaitPaused(20_000);
                if (!didPause) {
                    paused.get(20, TimeUnit.SECONDS).close();
                    assertTrue(k > 1, "a start on a missing schema creates it in a transaction");
                    break;
                }
                points++;
                long t0 = System.nanoTime();
                try (Lockstep other = startWithin("other-" + k, pool, schema)) {
                    System.out.printf("[paused-client] paused after in-transaction statement %d (%s): another node "
                            + "started in %d ms%n", k, pausing.statementsInTransactions().get(k - 1),
                            (System.nanoTime() - t0) / 1_000_000);
                } finally {
                    pausing.release();
                }
                try {
                    paused.get(20, TimeUnit.SECONDS).close();
                } catch (ExecutionException e) {
                    String why = String.valueOf(e.getCause().getMessage());
                    assertTrue(why.contains(schema) || why.contains("decision store"), "the paused node's start "
                            + "fails naming the store: " + why);
                }
                assertEquals(1, Resources.queryLong(pool, "SELECT count(*) FROM " + schema + ".schema_version"));
            }
            assertTrue(points >= 3, "the creation runs at least its limit, its lock and its check in a transaction; "
                    + "paused at " + points);
        }
    }

    /*
     * Scenario: the schema exists. A node with in-process recovery starts on a recording data source and scans the
     * store for a few seconds (each scan opens the store as a recovery does), then commits nothing and stops.
     * Expected: not one statement ran inside a transaction: paused at any moment, it holds no lock of the store.
     */
    @Test
    void onAnExistingSchemaNoStoreStatementRunsInsideATransaction() throws Exception {
        PostgresServer pg = Servers.postgres();
        String schema = "ls_paused_existing";
        try (AgroalDataSource pool = LockstepDataSources.decisionStore(pg.jdbcUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD, 4)) {
            Resources.exec(pool, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            node("creator", pool, schema).close();
            PausingDataSource recording = new PausingDataSource(pool, 0);
            try (Lockstep ls = Lockstep.builder().nodeId("scanner")
                    .decisionStore(PostgresDecisionStore.builder(recording.dataSource()).schema(schema).lease(LEASE)
                            .build())
                    .recoveryInterval(Duration.ofMillis(200)).build()) {
                Thread.sleep(2_000);
            }
            assertEquals(List.of(), recording.statementsInTransactions());
        }
    }

    private static Lockstep startWithin(String nodeId, DataSource ds, String schema) throws Exception {
        CompletableFuture<Lockstep> start = CompletableFuture.supplyAsync(() -> node(nodeId, ds, schema));
        try {
            return start.get(START_LIMIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(nodeId + " did not start within " + START_LIMIT_MILLIS + " ms beside a node "
                    + "paused inside a store transaction", e);
        }
    }

    private static Lockstep node(String nodeId, DataSource ds, String schema) {
        return Lockstep.builder().nodeId(nodeId)
                .decisionStore(PostgresDecisionStore.builder(ds).schema(schema).lease(LEASE).build())
                .inProcessRecovery(false).build();
    }
}
