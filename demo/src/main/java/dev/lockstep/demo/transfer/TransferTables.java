package dev.lockstep.demo.transfer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tables of the transfer workload, the same in PostgreSQL and MariaDB, shared by every run and told apart by the
 * run id (the node id of the TransferApp):
 *
 * <pre>
 * transfer_accounts (run, id, balance)   PRIMARY KEY (run, id); each run opens its own accounts
 * transfers         (id, run, amount)    one row per transfer, in both databases or in neither
 * </pre>
 *
 * A transfer of {@code amount} debits a PostgreSQL account and credits a MariaDB account, so for a run with
 * {@code n} accounts of {@code initial} each: PostgreSQL's sum is {@code n*initial - sum(amounts in PostgreSQL)},
 * MariaDB's is {@code n*initial + sum(amounts in MariaDB)}, and the total across both never changes.
 */
public final class TransferTables {

    public static final String QUEUE = "transfers";

    private TransferTables() {
    }

    /** Creates the tables if missing (both databases) and opens {@code accounts} accounts of {@code initial}. */
    public static void openAccounts(Endpoints e, String run, int accounts, long initial) throws SQLException {
        try (Connection pg = pg(e); Connection maria = maria(e)) {
            try (Statement s = pg.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS transfer_accounts (run VARCHAR(40) NOT NULL, id INT NOT NULL,"
                        + " balance BIGINT NOT NULL, PRIMARY KEY (run, id))");
                s.execute("CREATE TABLE IF NOT EXISTS transfers (id VARCHAR(80) PRIMARY KEY, run VARCHAR(40) NOT NULL,"
                        + " amount BIGINT NOT NULL)");
            }
            try (Statement s = maria.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS transfer_accounts (run VARCHAR(40) NOT NULL, id INT NOT NULL,"
                        + " balance BIGINT NOT NULL, PRIMARY KEY (run, id)) ENGINE=InnoDB");
                s.execute("CREATE TABLE IF NOT EXISTS transfers (id VARCHAR(80) PRIMARY KEY, run VARCHAR(40) NOT NULL,"
                        + " amount BIGINT NOT NULL) ENGINE=InnoDB");
            }
            for (Connection c : new Connection[] {pg, maria}) {
                try (PreparedStatement p = c.prepareStatement(
                        "INSERT INTO transfer_accounts (run, id, balance) VALUES (?, ?, ?)")) {
                    for (int i = 0; i < accounts; i++) {
                        p.setString(1, run);
                        p.setInt(2, i);
                        p.setLong(3, initial);
                        p.addBatch();
                    }
                    p.executeBatch();
                }
            }
        }
    }

    /** The transfers of {@code run} in one database: id → amount. */
    static Map<String, Long> transfers(Connection c, String run) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement p = c.prepareStatement("SELECT id, amount FROM transfers WHERE run = ? ORDER BY id")) {
            p.setString(1, run);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    /** Sum of the balances of {@code run}'s accounts and their number in one database. */
    static long[] balanceSumAndCount(Connection c, String run) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT COALESCE(SUM(balance), 0), COUNT(*) FROM transfer_accounts WHERE run = ?")) {
            p.setString(1, run);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    /** A plain autocommit connection to PostgreSQL, outside any transaction manager. */
    static Connection pg(Endpoints e) throws SQLException {
        return DriverManager.getConnection(e.pgUrl(), e.pgLogin().user(), e.pgLogin().password());
    }

    /** A plain autocommit connection to MariaDB, outside any transaction manager. */
    static Connection maria(Endpoints e) throws SQLException {
        return DriverManager.getConnection(e.mariaUrl(), e.mariaLogin().user(), e.mariaLogin().password());
    }
}
