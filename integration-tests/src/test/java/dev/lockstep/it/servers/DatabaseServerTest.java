package dev.lockstep.it.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.TestXids;
import dev.lockstep.testkit.servers.ManagedServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A private database server works for XA and keeps prepared branches across kill -9 and restart; the subclasses
 * say which server, how to create the table and how to make its XADataSource.
 */
abstract class DatabaseServerTest {

    ManagedServer server;
    private String table;
    private final List<Xid> xids = new ArrayList<>();

    @BeforeEach
    void createTable() throws SQLException {
        server = server();
        table = "it_smoke_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute(createTable(table));
        }
    }

    @AfterEach
    void dropTable() throws Exception {
        if (!server.isRunning()) {
            server.restart();
        }
        // A prepared branch holds locks: roll ours back before the DROP, or it would wait forever.
        XAConnection xa = dataSource().getXAConnection();
        try {
            XAResource resource = xa.getXAResource();
            for (Xid xid : xids) {
                if (TestXids.contains(resource.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN), xid)) {
                    resource.rollback(xid);
                }
            }
        } finally {
            xa.close();
        }
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + table);
        }
    }

    @Test
    void preparedBranchSurvivesKillAndRestart() throws Exception {
        Xid xid = TestXids.newXid(getClass().getSimpleName());
        xids.add(xid);
        XAConnection preparing = dataSource().getXAConnection();
        XAResource resource = preparing.getXAResource();
        resource.start(xid, XAResource.TMNOFLAGS);
        try (PreparedStatement insert = preparing.getConnection()
                .prepareStatement("INSERT INTO " + table + " (id, v) VALUES (?, ?)")) {
            insert.setInt(1, 1);
            insert.setString(2, "prepared before the crash");
            insert.executeUpdate();
        }
        resource.end(xid, XAResource.TMSUCCESS);
        assertEquals(XAResource.XA_OK, resource.prepare(xid));

        int port = server.port();
        server.kill();
        assertFalse(server.isRunning());
        closeQuietly(preparing);
        server.restart();
        assertTrue(server.isRunning());
        assertEquals(port, server.port(), "restart() must keep the port");

        XAConnection recovering = dataSource().getXAConnection();
        try {
            XAResource recovery = recovering.getXAResource();
            Xid[] inDoubt = recovery.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
            assertTrue(TestXids.contains(inDoubt, xid), "the prepared branch " + xid + " was lost by the restart");
            recovery.commit(xid, false);
            assertFalse(TestXids.contains(recovery.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN), xid));
        } finally {
            recovering.close();
        }
        assertEquals("prepared before the crash", valueOf(1));
    }

    private String valueOf(int id) throws SQLException {
        try (Connection connection = connect();
                PreparedStatement select = connection.prepareStatement("SELECT v FROM " + table + " WHERE id = ?")) {
            select.setInt(1, id);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The shared server under test. */
    abstract ManagedServer server();

    /** DDL of a table {@code (id INT PRIMARY KEY, v <text> NOT NULL)} in this server's dialect. */
    abstract String createTable(String name);

    /** A plain connection as the test user. */
    abstract Connection connect() throws SQLException;

    /** The vendor's XADataSource for the test user. */
    abstract javax.sql.XADataSource dataSource() throws SQLException;

    private static void closeQuietly(XAConnection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            // Its server was killed.
        }
    }
}
