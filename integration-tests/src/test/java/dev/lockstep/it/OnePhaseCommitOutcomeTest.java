package dev.lockstep.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.servers.MariaDbServer;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.testkit.TestXids;
import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.jdbc.vendor.PostgreSqlVendor;
import dev.lockstep.tm.Lockstep;
import io.agroal.api.AgroalDataSource;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.UserTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a one-phase commit really answers with pgjdbc and Connector/J on the private servers, and what the answer
 * says about the work (docs/xa-quirks.md, "One-phase commit: what the codes mean"). Lockstep reads {@code XAER_NOTA}
 * from {@code commit(xid, true)} as "rolled back" and {@code XAER_RMFAIL} and {@code XAER_RMERR} as "outcome unknown"
 * (XaCodes.ofOnePhaseCommitError); these tests fail if a driver or server upgrade changes what that reading rests on.
 *
 * <pre>
 * Scenario (lost reply): a branch inserts one row through ReplyDroppingProxy (loopback), then commit(xid, true);
 *   the proxy forwards the driver's commit (pgjdbc: COMMIT; Connector/J: XA COMMIT ... ONE PHASE) to the server and
 *   throws the server's reply away, breaking the connection
 * Expected: both drivers throw XAER_RMFAIL, and the row IS committed: RMFAIL from a one-phase commit can mean
 *   committed, which is why Lockstep reports it as a heuristic hazard (through Lockstep: HeuristicMixedException, the
 *   row committed). Neither driver says XAER_NOTA or XAER_RMERR when the reply is lost.
 *
 * Scenario (the answers on their own): pgjdbc's NOTA (another xid) and RMERR (a connection that did not start the
 *   branch); PostgreSQL after a failed statement; a deferred constraint violated at COMMIT; MariaDB's one-phase
 *   commit of an xid it does not know
 * Expected: pgjdbc's NOTA and RMERR are raised before anything is sent (the proxy sees no COMMIT) and nothing is
 *   committed; after a failed statement pgjdbc's commit returns normally while PostgreSQL rolled back (Lockstep's
 *   PostgreSqlFailedBranchVeto turns it into XA_RBROLLBACK); the deferred violation is XA_RBINTEGRITY, nothing
 *   committed; MariaDB answers an unknown xid with XAER_INVAL, not XAER_NOTA.
 * </pre>
 */
class OnePhaseCommitOutcomeTest {

    @BeforeAll
    static void tables() throws SQLException {
        try (Connection c = plainPostgres(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS one_phase (id TEXT PRIMARY KEY)");
            s.execute("CREATE TABLE IF NOT EXISTS one_phase_deferred (id INT, CONSTRAINT one_phase_deferred_u "
                    + "UNIQUE (id) DEFERRABLE INITIALLY DEFERRED)");
        }
        try (Connection c = plainMariaDb(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS one_phase (id VARCHAR(64) PRIMARY KEY) ENGINE=InnoDB");
        }
    }

    @Test
    void pgjdbcLosingTheReplyOfCommitSaysRmfailThoughTheWorkIsCommitted() throws Exception {
        try (ReplyDroppingProxy proxy = new ReplyDroppingProxy(Servers.postgres().port())) {
            XAConnection xc = pgXa(proxy).getXAConnection(PostgresServer.USER, PostgresServer.PASSWORD);
            Xid xid = TestXids.newXid("pg");
            try {
                insertInBranch(xc, xid, "lost-reply-" + xid);
                proxy.arm("COMMIT");
                XAException e = assertThrows(XAException.class, () -> xc.getXAResource().commit(xid, true));
                assertTrue(proxy.droppedAReply(5_000), "the proxy threw PostgreSQL's reply away");
                assertEquals(XAException.XAER_RMFAIL, e.errorCode, describe(e));
            } finally {
                closeQuietly(xc);
            }
            assertEquals(1, countPostgres("lost-reply-" + xid), "PostgreSQL committed the work");
        }
    }

    @Test
    void connectorJLosingTheReplyOfXaCommitOnePhaseSaysRmfailThoughTheWorkIsCommitted() throws Exception {
        try (ReplyDroppingProxy proxy = new ReplyDroppingProxy(Servers.mariadb().port())) {
            XAConnection xc = mariaXa(proxy).getXAConnection(MariaDbServer.USER, MariaDbServer.PASSWORD);
            Xid xid = TestXids.newXid("my");
            try {
                insertInBranch(xc, xid, "lost-reply-" + xid);
                proxy.arm("ONE PHASE");
                XAException e = assertThrows(XAException.class, () -> xc.getXAResource().commit(xid, true));
                assertTrue(proxy.droppedAReply(5_000), "the proxy threw MariaDB's reply away");
                assertEquals(XAException.XAER_RMFAIL, e.errorCode, describe(e));
            } finally {
                closeQuietly(xc);
            }
            assertEquals(1, countMariaDb("lost-reply-" + xid), "MariaDB committed the work");
        }
    }

    @Test
    void throughLockstepALostReplyIsAHeuristicHazardNotARollback() throws Exception {
        Path logDir = Files.createTempDirectory(Path.of("target"), "lockstep-log-").toAbsolutePath();
        try (ReplyDroppingProxy proxy = new ReplyDroppingProxy(Servers.postgres().port());
             Lockstep lockstep = Lockstep.builder().nodeId("it-one-phase").logDirectory(logDir).build();
             AgroalDataSource pg = LockstepDataSources.postgresql(lockstep, "orders-pg", pgUrl(proxy),
                     PostgresServer.USER, PostgresServer.PASSWORD, 2)) {
            String id = "lockstep-lost-reply-" + java.util.UUID.randomUUID();
            UserTransaction ut = lockstep.userTransaction();
            ut.begin();
            try (Connection c = pg.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO one_phase VALUES ('" + id + "')");
            }
            proxy.arm("COMMIT");
            HeuristicMixedException e = assertThrows(HeuristicMixedException.class, ut::commit);
            assertTrue(e.getMessage().contains("LKS-122") && e.getMessage().contains("XAER_RMFAIL"), e.getMessage());
            assertEquals(1, lockstep.metrics().heuristic());
            assertEquals(1, countPostgres(id), "committed, as 'outcome unknown' allows; a RollbackException would lie");
        }
    }

    @Test
    void pgjdbcNotaAndRmerrOfOnePhaseAreRaisedBeforeAnythingIsSent() throws Exception {
        try (ReplyDroppingProxy proxy = new ReplyDroppingProxy(Servers.postgres().port())) {
            PgXaPair pair = new PgXaPair(proxy);
            Xid xid = TestXids.newXid("pg");
            try {
                insertInBranch(pair.owner, xid, "nota-" + xid);
                proxy.arm("COMMIT");

                XAException nota = assertThrows(XAException.class,
                        () -> pair.owner.getXAResource().commit(TestXids.newXid("other"), true));
                assertEquals(XAException.XAER_NOTA, nota.errorCode, describe(nota));
                XAException rmerr = assertThrows(XAException.class,
                        () -> pair.stranger.getXAResource().commit(xid, true));
                assertEquals(XAException.XAER_RMERR, rmerr.errorCode, describe(rmerr));

                assertFalse(proxy.droppedAReply(300), "no COMMIT was sent for either answer");
                assertEquals(0, countPostgres("nota-" + xid), "nothing committed");
            } finally {
                pair.close();
            }
            assertEquals(0, countPostgres("nota-" + xid), "the open branch died with its connection");
        }
    }

    @Test
    void postgresqlAfterAFailedStatementRollsBackAtCommitWithoutAnError() throws Exception {
        XAConnection xc = pgXa(null).getXAConnection(PostgresServer.USER, PostgresServer.PASSWORD);
        Xid xid = TestXids.newXid("pg");
        try {
            failedBranch(xc, xid, "failed-plain-" + xid);
            xc.getXAResource().commit(xid, true); // pgjdbc: COMMIT, answered ROLLBACK by the server, no exception
        } finally {
            closeQuietly(xc);
        }
        assertEquals(0, countPostgres("failed-plain-" + xid), "PostgreSQL rolled back although commit returned");

        XAConnection vetoed = pgXa(null).getXAConnection(PostgresServer.USER, PostgresServer.PASSWORD);
        Xid other = TestXids.newXid("pg");
        try {
            Connection c = failedBranch(vetoed, other, "failed-veto-" + other);
            XAResource lockstepView = PostgreSqlVendor.INSTANCE.enlisted(vetoed.getXAResource(), c);
            XAException e = assertThrows(XAException.class, () -> lockstepView.commit(other, true));
            assertEquals(XAException.XA_RBROLLBACK, e.errorCode, describe(e));
        } finally {
            closeQuietly(vetoed);
        }
    }

    @Test
    void postgresqlDeferredConstraintViolatedAtCommitIsRbintegrity() throws Exception {
        XAConnection xc = pgXa(null).getXAConnection(PostgresServer.USER, PostgresServer.PASSWORD);
        Xid xid = TestXids.newXid("pg");
        int key = (int) (System.nanoTime() & 0x3fffffff);
        try (Connection c = xc.getConnection(); Statement s = c.createStatement()) {
            xc.getXAResource().start(xid, XAResource.TMNOFLAGS);
            s.executeUpdate("INSERT INTO one_phase_deferred VALUES (" + key + "), (" + key + ")");
            xc.getXAResource().end(xid, XAResource.TMSUCCESS);
            XAException e = assertThrows(XAException.class, () -> xc.getXAResource().commit(xid, true));
            assertEquals(XAException.XA_RBINTEGRITY, e.errorCode, describe(e));
        } finally {
            closeQuietly(xc);
        }
        try (Connection c = plainPostgres(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM one_phase_deferred WHERE id = " + key)) {
            rs.next();
            assertEquals(0, rs.getInt(1), "rolled back");
        }
    }

    @Test
    void mariaDbAnswersAnUnknownXidInOnePhaseWithInvalNotNota() throws Exception {
        XAConnection xc = mariaXa(null).getXAConnection(MariaDbServer.USER, MariaDbServer.PASSWORD);
        try {
            XAException e = assertThrows(XAException.class,
                    () -> xc.getXAResource().commit(TestXids.newXid("unknown"), true));
            assertEquals(XAException.XAER_INVAL, e.errorCode, describe(e));
        } finally {
            closeQuietly(xc);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Two pgjdbc XA connections through the proxy: the one that runs the branch, and another one. */
    private static final class PgXaPair {
        final XAConnection owner;
        final XAConnection stranger;

        PgXaPair(ReplyDroppingProxy proxy) throws SQLException {
            owner = pgXa(proxy).getXAConnection(PostgresServer.USER, PostgresServer.PASSWORD);
            stranger = pgXa(proxy).getXAConnection(PostgresServer.USER, PostgresServer.PASSWORD);
        }

        void close() {
            closeQuietly(owner);
            closeQuietly(stranger);
        }
    }

    private static void insertInBranch(XAConnection xc, Xid xid, String id) throws Exception {
        XAResource xa = xc.getXAResource();
        try (Connection c = xc.getConnection(); Statement s = c.createStatement()) {
            xa.start(xid, XAResource.TMNOFLAGS);
            s.executeUpdate("INSERT INTO one_phase VALUES ('" + id + "')");
            xa.end(xid, XAResource.TMSUCCESS);
        }
    }

    /**
     * A PostgreSQL branch with one insert and then a failing statement: the server transaction is aborted. Returns
     * the connection handle (pgjdbc closes the previous handle when another one is taken).
     */
    private static Connection failedBranch(XAConnection xc, Xid xid, String id) throws Exception {
        XAResource xa = xc.getXAResource();
        Connection c = xc.getConnection();
        try (Statement s = c.createStatement()) {
            xa.start(xid, XAResource.TMNOFLAGS);
            s.executeUpdate("INSERT INTO one_phase VALUES ('" + id + "')");
            assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO no_such_table VALUES (1)"));
            xa.end(xid, XAResource.TMSUCCESS);
        }
        return c;
    }

    private static String pgUrl(ReplyDroppingProxy proxy) {
        int port = proxy == null ? Servers.postgres().port() : proxy.port();
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + PostgresServer.DATABASE + "?sslmode=disable";
    }

    private static XADataSource pgXa(ReplyDroppingProxy proxy) {
        var ds = new org.postgresql.xa.PGXADataSource();
        ds.setUrl(pgUrl(proxy));
        return ds;
    }

    private static XADataSource mariaXa(ReplyDroppingProxy proxy) {
        int port = proxy == null ? Servers.mariadb().port() : proxy.port();
        var ds = new com.mysql.cj.jdbc.MysqlXADataSource();
        ds.setUrl("jdbc:mysql://127.0.0.1:" + port + "/" + MariaDbServer.DATABASE + "?sslMode=DISABLED");
        return ds;
    }

    private static Connection plainPostgres() throws SQLException {
        return DriverManager.getConnection(Servers.postgres().jdbcUrl(), PostgresServer.USER, PostgresServer.PASSWORD);
    }

    private static Connection plainMariaDb() throws SQLException {
        return DriverManager.getConnection(Servers.mariadb().jdbcUrl(), MariaDbServer.USER, MariaDbServer.PASSWORD);
    }

    private static long countPostgres(String id) throws SQLException {
        try (Connection c = plainPostgres(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM one_phase WHERE id = '" + id + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long countMariaDb(String id) throws SQLException {
        try (Connection c = plainMariaDb(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM one_phase WHERE id = '" + id + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String describe(XAException e) {
        return "errorCode " + e.errorCode + ": " + e.getMessage() + (e.getCause() == null ? "" : " / " + e.getCause());
    }

    private static void closeQuietly(XAConnection xc) {
        try {
            xc.close();
        } catch (SQLException e) {
            // the proxy broke it on purpose
        }
    }
}
