package dev.lockstep.bench.real;

import com.mysql.cj.jdbc.MysqlXADataSource;
import jakarta.jms.MessageProducer;
import jakarta.jms.XASession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;
import org.postgresql.xa.PGXADataSource;

/**
 * One worker's own raw XA connections, held for a whole trial with no pool: a PGXAConnection, a MariaDB
 * XAConnection (MySQL Connector/J), an Artemis XASession with its producer, and the update of the worker's row
 * prepared on each database. The TM-only systems, the floors and the branches by hand all work through this, so
 * only the coordination differs between them.
 */
final class RawConnections implements AutoCloseable {

    /** The names of the three resources, the same for Lockstep's pools and the raw connections wrapped for it. */
    static final String[] NAMES = {"bench-pg", "bench-maria", "bench-mq"};

    /** Labels of the branches in the results, in the order of {@link #resources()}. */
    static final String[] BRANCHES = {"postgresql", "mariadb", "artemis"};

    private final XAConnection pg;
    private final XAConnection maria;
    private final jakarta.jms.XAConnection jms;
    private final XASession session;
    private final MessageProducer producer;
    private final PreparedStatement pgUpdate;
    private final PreparedStatement mariaUpdate;
    private final XAResource[] resources;
    private final String message;

    /** The driver-side factories, one per trial, shared by the connections of every worker. */
    static final class Factories implements AutoCloseable {
        private final PGXADataSource pg = new PGXADataSource();
        private final MysqlXADataSource maria = new MysqlXADataSource();
        private final ActiveMQXAConnectionFactory broker;

        Factories(RealServers servers) {
            pg.setUrl(servers.pgUrl());
            pg.setUser(servers.user());
            pg.setPassword(servers.password());
            maria.setUrl(servers.mariaUrl());
            maria.setUser(servers.user());
            maria.setPassword(servers.password());
            broker = new ActiveMQXAConnectionFactory(servers.brokerUrl());
        }

        @Override
        public void close() {
            broker.close();
        }
    }

    /** Opens the connections of the worker that updates row {@code row}. */
    RawConnections(Factories f, int row) throws Exception {
        pg = f.pg.getXAConnection();
        maria = f.maria.getXAConnection();
        jms = f.broker.createXAConnection();
        session = jms.createXASession();
        producer = session.getSession().createProducer(session.getSession().createQueue(RealServers.QUEUE));
        String update = "UPDATE " + RealServers.TABLE + " SET balance = balance + 1 WHERE id = ?";
        Connection pgC = pg.getConnection();
        Connection mariaC = maria.getConnection();
        pgUpdate = pgC.prepareStatement(update);
        pgUpdate.setInt(1, row);
        mariaUpdate = mariaC.prepareStatement(update);
        mariaUpdate.setInt(1, row);
        resources = new XAResource[] {pg.getXAResource(), maria.getXAResource(), session.getXAResource()};
        message = "transfer from thread " + row;
    }

    /** PostgreSQL, MariaDB, Artemis: the raw XAResources of these connections. */
    XAResource[] resources() {
        return resources.clone();
    }

    /** The raw XAResource of branch {@code i} ({@link #BRANCHES} order). */
    XAResource resource(int i) {
        return resources[i];
    }

    /** The work of branch {@code i} of a transaction ({@link #BRANCHES} order): one row updated, or one message. */
    void work(int i) throws Exception {
        switch (i) {
            case 0 -> RealTrial.expectOneRow(pgUpdate.executeUpdate());
            case 1 -> RealTrial.expectOneRow(mariaUpdate.executeUpdate());
            default -> producer.send(session.getSession().createTextMessage(message));
        }
    }

    /** The work of a whole transaction, each branch's time added to {@code work} (PostgreSQL, MariaDB, JMS). */
    void work(LongAdder[] work) throws Exception {
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            work(i);
            work[i].add(System.nanoTime() - t0);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            jms.close();
        } finally {
            try {
                maria.close();
            } finally {
                pg.close();
            }
        }
    }
}
