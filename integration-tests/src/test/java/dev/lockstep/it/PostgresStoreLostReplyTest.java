package dev.lockstep.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.store.PostgresDecisionStore;
import io.agroal.api.AgroalDataSource;
import jakarta.transaction.TransactionManager;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The reply to a batch of COMMIT records is lost (the decision database fails over, the network drops), in a node that
 * is alive and keeps its lease (docs/cluster.md, "The decision database").
 *
 * <p>Scenario: the node's decision store connects through {@link ReplyDroppingProxy}; a transaction with branches on
 * two PostgreSQL databases commits; the proxy forwards the fenced INSERT of its COMMIT record, throws the server's
 * reply away and closes the connection. The record is committed in the store; the node does not know it.
 *
 * <p>Expected: the store settles the write (LKS-047) by bumping its own epoch and reading the row back, so
 * {@code commit()} returns normally and both branches are committed at once. Before, the committer got an unknown
 * outcome (LKS-133) and left the branches prepared, holding their row locks, while no recovery takes over a live
 * node's lease: every later transaction on those rows waited. Then the node commits again at its new epoch.
 */
class PostgresStoreLostReplyTest {

    private static final String SCHEMA = "ls_lost_reply";

    @Test
    void aCommitWhoseStoreReplyIsLostIsSettledAndItsBranchesFinish() throws Exception {
        PostgresServer pg = Servers.postgres();
        try (AgroalDataSource plain = LockstepDataSources.decisionStore(pg.jdbcUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD, 2);
                AgroalDataSource plainB = LockstepDataSources.decisionStore(pg.jdbcUrl(PostgresServer.SECOND_DATABASE),
                        PostgresServer.USER, PostgresServer.PASSWORD, 1);
                ReplyDroppingProxy proxy = new ReplyDroppingProxy(pg.port())) {
            Resources.exec(plain, "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE", "DROP TABLE IF EXISTS lost_a",
                    "CREATE TABLE lost_a (id text)");
            Resources.exec(plainB, "DROP TABLE IF EXISTS lost_b", "CREATE TABLE lost_b (id text)");
            String viaProxy = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + PostgresServer.DATABASE;
            try (AgroalDataSource storePool = LockstepDataSources.decisionStore(viaProxy, PostgresServer.USER,
                    PostgresServer.PASSWORD, 3);
                    Lockstep ls = Lockstep.builder().nodeId("lost-reply")
                            .decisionStore(PostgresDecisionStore.builder(storePool).schema(SCHEMA)
                                    .lease(Duration.ofSeconds(30)).build())
                            .inProcessRecovery(false).build();
                    AgroalDataSource a = LockstepDataSources.postgresql(ls, "orders-pg", pg.jdbcUrl(),
                            PostgresServer.USER, PostgresServer.PASSWORD, 2);
                    AgroalDataSource b = LockstepDataSources.postgresql(ls, "audit-pg",
                            pg.jdbcUrl(PostgresServer.SECOND_DATABASE), PostgresServer.USER, PostgresServer.PASSWORD,
                            2)) {
                TransactionManager tm = ls.transactionManager();
                // Only the fenced INSERT of COMMIT records names these columns so (the END statement does not).
                proxy.arm("r.gtrid, r.kind, r.record");
                transfer(tm, a, b, "lost");
                assertTrue(proxy.droppedAReply(1_000), "the proxy threw the store's reply to the COMMIT away");
                assertEquals(1, Resources.queryLong(plain, "SELECT count(*) FROM lost_a WHERE id = 'lost'"));
                assertEquals(1, Resources.queryLong(plainB, "SELECT count(*) FROM lost_b WHERE id = 'lost'"));
                assertEquals(0, Resources.queryLong(plain, "SELECT count(*) FROM pg_prepared_xacts"),
                        "no branch is left prepared (the view covers both databases)");
                assertEquals(2, Resources.queryLong(plain, "SELECT epoch FROM " + SCHEMA + ".incarnation WHERE id = "
                        + ls.incarnation()), "the node settled the write by bumping its own epoch");

                transfer(tm, a, b, "after");
                assertEquals(1, Resources.queryLong(plainB, "SELECT count(*) FROM lost_b WHERE id = 'after'"),
                        "the node goes on deciding at its new epoch");
            }
            assertEquals(0, Resources.queryLong(plain, "SELECT count(*) FROM " + SCHEMA + ".incarnation"),
                    "closed with nothing open: retired at its new epoch");
        }
    }

    private static void transfer(TransactionManager tm, AgroalDataSource a, AgroalDataSource b, String id)
            throws Exception {
        tm.begin();
        try (Connection c = a.getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO lost_a VALUES ('" + id + "')");
        }
        try (Connection c = b.getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO lost_b VALUES ('" + id + "')");
        }
        tm.commit();
    }
}
