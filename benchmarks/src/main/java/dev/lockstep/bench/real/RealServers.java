package dev.lockstep.bench.real;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Where the real resources are (URLs and logins of the servers the harness started), and the plain, non-XA
 * checks of their contents: the table each transaction updates, the queue it sends to.
 */
public record RealServers(String pgUrl, String mariaUrl, String brokerUrl, String user, String password) {

    /** One row per worker thread (at most this many threads), so the updates of two threads never wait on a lock. */
    public static final int ROWS = 64;
    public static final String TABLE = "bench_account";
    public static final String QUEUE = "bench.real";

    /** Creates the table in both databases (if missing) with {@link #ROWS} rows. */
    public void createTables() throws SQLException {
        for (String url : new String[] {pgUrl, mariaUrl}) {
            try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
                s.execute("DELETE FROM " + TABLE);
                for (int i = 0; i < ROWS; i++) {
                    s.execute("INSERT INTO " + TABLE + " (id, balance) VALUES (" + i + ", 0)");
                }
            }
        }
    }

    /** The sum of the balances of one database: each committed transaction adds one. */
    public long sum(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COALESCE(SUM(balance), 0) FROM " + TABLE)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Prepared branches left in the databases (both must be 0 after a trial). */
    public String inDoubt() throws SQLException {
        long pg;
        try (Connection c = DriverManager.getConnection(pgUrl, user, password); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_prepared_xacts")) {
            rs.next();
            pg = rs.getLong(1);
        }
        long maria = 0;
        try (Connection c = DriverManager.getConnection(mariaUrl, user, password); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("XA RECOVER")) {
            while (rs.next()) {
                maria++;
            }
        }
        return pg == 0 && maria == 0 ? null : pg + " prepared branch(es) in PostgreSQL, " + maria + " in MariaDB";
    }

    /** Receives and counts every message waiting in the queue (plain session, not XA). */
    public long drainQueue() throws Exception {
        try (org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory cf =
                     new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory(brokerUrl);
             jakarta.jms.Connection c = cf.createConnection()) {
            c.start();
            jakarta.jms.Session s = c.createSession(false, jakarta.jms.Session.DUPS_OK_ACKNOWLEDGE);
            jakarta.jms.MessageConsumer consumer = s.createConsumer(s.createQueue(QUEUE));
            long n = 0;
            long wait = Duration.ofSeconds(1).toMillis();
            while (consumer.receive(wait) != null) {
                n++;
                wait = 200;
            }
            return n;
        }
    }

    public String serverVersion(String url, String query) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
