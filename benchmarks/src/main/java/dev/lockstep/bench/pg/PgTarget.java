package dev.lockstep.bench.pg;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The private PostgreSQL server the harness started for the adapters that keep their decisions in a database
 * ({@code lockstep-pgstore}, {@code narayana-jdbcstore}, {@code ceiling-pg-row}): all three on the same server.
 * {@code maxThreads} is the most worker threads of the trial: the adapters that use a connection per worker (Narayana's
 * store, the ceiling) open that many before the first transaction.
 */
public record PgTarget(String url, String user, String password, int maxThreads) {

    /** A plain connection (autocommit), not pooled. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /**
     * Opens {@code n} connections of {@code pool} and gives them back, so no measured window pays for opening one
     * (a SCRAM login costs milliseconds of CPU on this machine).
     */
    public static void fill(DataSource pool, int n) throws SQLException {
        List<Connection> opened = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                opened.add(pool.getConnection());
            }
        } finally {
            for (Connection c : opened) {
                c.close();
            }
        }
    }

    /** A name unique to this trial JVM, for its schema, table prefix or table: every trial starts on empty tables. */
    public static String trialName(String prefix) {
        return prefix + "_" + ProcessHandle.current().pid() + "_" + Long.toString(System.nanoTime() % 1_000_000_000L,
                36);
    }
}
