package dev.lockstep.it.spring;

import dev.lockstep.testkit.servers.MariaDbServer;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.tm.spi.LockstepXids;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;

/**
 * The servers seen from outside any transaction manager: plain JDBC connections (autocommit) and a plain JMS client,
 * to check what a transaction really left behind, and each server's XA {@code recover()} list.
 */
final class PlainClients {

    private PlainClients() {
    }

    static java.sql.Connection pg() throws SQLException {
        return DriverManager.getConnection(Servers.postgres().jdbcUrl(), PostgresServer.USER, PostgresServer.PASSWORD);
    }

    static java.sql.Connection maria() throws SQLException {
        return DriverManager.getConnection(Servers.mariadb().jdbcUrl(), MariaDbServer.USER, MariaDbServer.PASSWORD);
    }

    static void pgExec(String... sql) throws SQLException {
        try (java.sql.Connection c = pg()) {
            exec(c, sql);
        }
    }

    static void mariaExec(String... sql) throws SQLException {
        try (java.sql.Connection c = maria()) {
            exec(c, sql);
        }
    }

    private static void exec(java.sql.Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    /** The ids in {@code table} of PostgreSQL, sorted. */
    static List<String> pgIds(String table) throws SQLException {
        try (java.sql.Connection c = pg()) {
            return ids(c, table);
        }
    }

    /** The ids in {@code table} of MariaDB, sorted. */
    static List<String> mariaIds(String table) throws SQLException {
        try (java.sql.Connection c = maria()) {
            return ids(c, table);
        }
    }

    private static List<String> ids(java.sql.Connection c, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM " + table
                + " ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Receives and acknowledges every message on {@code queue} now, waiting up to {@code firstWaitMillis}. */
    static List<String> drain(String queue, long firstWaitMillis) throws Exception {
        List<String> out = new ArrayList<>();
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(Servers.artemis().brokerUrl());
             Connection c = f.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            Message m = consumer.receive(firstWaitMillis);
            while (m != null) {
                out.add(((TextMessage) m).getText());
                m = consumer.receive(100);
            }
        }
        out.sort(null);
        return out;
    }

    /** Branches of {@code nodeId} that any of the three servers lists as prepared (must be none after each test). */
    static List<String> branchesInDoubt(String nodeId) throws Exception {
        List<String> found = new ArrayList<>();
        var pgXa = new org.postgresql.xa.PGXADataSource();
        pgXa.setUrl(Servers.postgres().jdbcUrl());
        var pc = pgXa.getXAConnection(PostgresServer.USER, PostgresServer.PASSWORD);
        try {
            collect("postgresql", pc.getXAResource(), nodeId, found);
        } finally {
            pc.close();
        }
        var myXa = new com.mysql.cj.jdbc.MysqlXADataSource();
        myXa.setUrl(Servers.mariadb().jdbcUrl());
        var mc = myXa.getXAConnection(MariaDbServer.USER, MariaDbServer.PASSWORD);
        try {
            collect("mariadb", mc.getXAResource(), nodeId, found);
        } finally {
            mc.close();
        }
        try (var f = new ActiveMQXAConnectionFactory(Servers.artemis().brokerUrl());
             var ac = f.createXAConnection()) {
            collect("artemis", ac.createXASession().getXAResource(), nodeId, found);
        }
        return found;
    }

    private static void collect(String server, XAResource xa, String nodeId, List<String> found) throws Exception {
        Xid[] xids = xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
        for (Xid x : xids == null ? new Xid[0] : xids) {
            if (nodeId.equals(LockstepXids.nodeIdOf(x))) {
                found.add(server + ":" + x);
            }
        }
    }
}
