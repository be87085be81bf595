package dev.lockstep.it.servers;

import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.MariaDbServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.tm.spi.LockstepXids;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/** Plain JDBC looks at the two shared database servers, outside any transaction manager. */
public final class DatabaseBranches {

    private DatabaseBranches() {
    }

    /** The branches of {@code nodeId} that PostgreSQL or MariaDB still lists as prepared (tests want none). */
    public static List<String> inDoubt(String nodeId) throws SQLException, javax.transaction.xa.XAException {
        List<String> found = new ArrayList<>();
        var pg = new org.postgresql.xa.PGXADataSource();
        pg.setUrl(Servers.postgres().jdbcUrl());
        collect("postgresql", pg.getXAConnection(PostgresServer.USER, PostgresServer.PASSWORD), nodeId, found);
        var maria = new com.mysql.cj.jdbc.MysqlXADataSource();
        maria.setUrl(Servers.mariadb().jdbcUrl());
        collect("mariadb", maria.getXAConnection(MariaDbServer.USER, MariaDbServer.PASSWORD), nodeId, found);
        return found;
    }

    private static void collect(String server, XAConnection connection, String nodeId, List<String> found)
            throws SQLException, javax.transaction.xa.XAException {
        try {
            Xid[] xids = connection.getXAResource().recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
            for (Xid x : xids == null ? new Xid[0] : xids) {
                if (nodeId.equals(LockstepXids.nodeIdOf(x))) {
                    found.add(server + ":" + x);
                }
            }
        } finally {
            connection.close();
        }
    }

    /** Runs statements on PostgreSQL with a plain autocommit connection. */
    public static void postgres(String... sql) throws SQLException {
        run(Servers.postgres().jdbcUrl(), PostgresServer.USER, PostgresServer.PASSWORD, sql);
    }

    /** Runs statements on MariaDB with a plain autocommit connection. */
    public static void mariadb(String... sql) throws SQLException {
        run(Servers.mariadb().jdbcUrl(), MariaDbServer.USER, MariaDbServer.PASSWORD, sql);
    }

    public static long postgresLong(String query) throws SQLException {
        return queryLong(Servers.postgres().jdbcUrl(), PostgresServer.USER, PostgresServer.PASSWORD, query);
    }

    public static long mariadbLong(String query) throws SQLException {
        return queryLong(Servers.mariadb().jdbcUrl(), MariaDbServer.USER, MariaDbServer.PASSWORD, query);
    }

    private static void run(String url, String user, String password, String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static long queryLong(String url, String user, String password, String query) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
