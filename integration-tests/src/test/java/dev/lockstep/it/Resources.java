package dev.lockstep.it;

import dev.lockstep.testkit.servers.MariaDbServer;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.jms.LockstepConnectionFactory;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.spi.LockstepXids;
import io.agroal.api.AgroalDataSource;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;

/**
 * One Lockstep over the three private servers of the harness: a pooled PostgreSQL DataSource ("orders-pg"), a
 * pooled MariaDB DataSource ("billing-maria") and a pooled Artemis factory ("events"), plus plain clients to look
 * at the servers from outside any transaction.
 */
final class Resources implements AutoCloseable {

    final Lockstep lockstep;
    final AgroalDataSource pg;
    final AgroalDataSource maria;
    final LockstepConnectionFactory jms;
    final String nodeId;
    private final ActiveMQConnectionFactory plainJms;

    Resources(String nodeId, Duration defaultTimeout) throws Exception {
        this.nodeId = nodeId;
        PostgresServer postgres = Servers.postgres();
        MariaDbServer mariadb = Servers.mariadb();
        String broker = Servers.artemis().brokerUrl();
        Path logDir = Files.createTempDirectory(Path.of("target"), "lockstep-log-");
        lockstep = Lockstep.builder().nodeId(nodeId).logDirectory(logDir.toAbsolutePath())
                .defaultTimeout(defaultTimeout).build();
        pg = LockstepDataSources.postgresql(lockstep, "orders-pg", postgres.jdbcUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD, 10);
        maria = LockstepDataSources.mysql(lockstep, "billing-maria", mariadb.jdbcUrl(), MariaDbServer.USER,
                MariaDbServer.PASSWORD, 10);
        jms = LockstepConnectionFactory.artemis(lockstep, "events", broker, null, null, 8);
        plainJms = new ActiveMQConnectionFactory(broker);
    }

    /** Runs {@code sql} outside any transaction (autocommit) on the given pool. */
    static void exec(AgroalDataSource ds, String... sql) throws SQLException {
        try (var c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    static long queryLong(AgroalDataSource ds, String sql) throws SQLException {
        try (var c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Sends {@code text} to {@code queue} through the enlisting factory (enlisted if a transaction runs). */
    void send(String queue, String text) throws Exception {
        try (Connection c = jms.createConnection()) {
            Session s = c.createSession();
            s.createProducer(s.createQueue(queue)).send(s.createTextMessage(text));
        }
    }

    /** Sends outside any transaction with a plain client. */
    void sendPlain(String queue, String text) throws Exception {
        try (Connection c = plainJms.createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            s.createProducer(s.createQueue(queue)).send(s.createTextMessage(text));
        }
    }

    /** Receives and acknowledges every message now on {@code queue}, outside any transaction. */
    List<String> drain(String queue, long firstWaitMillis) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = plainJms.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var consumer = s.createConsumer(s.createQueue(queue));
            Message m = consumer.receive(firstWaitMillis);
            while (m != null) {
                out.add(((TextMessage) m).getText());
                m = consumer.receive(200);
            }
        }
        return out;
    }

    /** Branches of this node that any of the three servers still lists as prepared (must be empty at the end). */
    List<String> ourBranchesInDoubt() throws Exception {
        List<String> found = new ArrayList<>();
        var pgXa = new org.postgresql.xa.PGXADataSource();
        pgXa.setUrl(Servers.postgres().jdbcUrl());
        var pc = pgXa.getXAConnection(PostgresServer.USER, PostgresServer.PASSWORD);
        try {
            collect("postgresql", pc.getXAResource(), found);
        } finally {
            pc.close();
        }
        var myXa = new com.mysql.cj.jdbc.MysqlXADataSource();
        myXa.setUrl(Servers.mariadb().jdbcUrl());
        var mc = myXa.getXAConnection(MariaDbServer.USER, MariaDbServer.PASSWORD);
        try {
            collect("mariadb", mc.getXAResource(), found);
        } finally {
            mc.close();
        }
        try (var f = new ActiveMQXAConnectionFactory(Servers.artemis().brokerUrl());
             var ac = f.createXAConnection()) {
            collect("artemis", ac.createXASession().getXAResource(), found);
        }
        return found;
    }

    private void collect(String server, XAResource xa, List<String> found) throws Exception {
        Xid[] xids = xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
        for (Xid x : xids == null ? new Xid[0] : xids) {
            if (nodeId.equals(LockstepXids.nodeIdOf(x))) {
                found.add(server + ":" + x);
            }
        }
    }

    @Override
    public void close() {
        jms.close();
        pg.close();
        maria.close();
        plainJms.close();
        lockstep.close();
    }
}
