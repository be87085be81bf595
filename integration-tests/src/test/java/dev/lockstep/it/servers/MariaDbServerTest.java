package dev.lockstep.it.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
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

import com.mysql.cj.jdbc.MysqlXADataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The private MariaDB instance works for XA through mysql-connector-j and keeps prepared branches across kill -9. */
class MariaDbServerTest {

    private MariaDbServer server;
    private String table;
    private final List<Xid> xids = new ArrayList<>();

    @BeforeEach
    void createTable() throws SQLException {
        server = Servers.mariadb();
        table = "it_smoke_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, v VARCHAR(100) NOT NULL) ENGINE=InnoDB");
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
        Xid xid = TestXids.newXid("mariadb-1");
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

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(), MariaDbServer.USER, MariaDbServer.PASSWORD);
    }

    private MysqlXADataSource dataSource() {
        MysqlXADataSource dataSource = new MysqlXADataSource();
        dataSource.setUrl(server.jdbcUrl());
        dataSource.setUser(MariaDbServer.USER);
        dataSource.setPassword(MariaDbServer.PASSWORD);
        return dataSource;
    }

    private static void closeQuietly(XAConnection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            // Its server was killed.
        }
    }
}
