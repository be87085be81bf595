package dev.lockstep.it.crash;

import dev.lockstep.demo.transfer.Endpoints;
import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.LogRecord;
import dev.lockstep.tm.log.RecordCodec;
import dev.lockstep.tm.spi.LockstepXids;
import io.agroal.api.AgroalDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The database store's tables as the crash tests see them from outside, through a pool of their own: the lease rows
 * ({@code incarnation}) and the open decisions ({@code decision}) of docs/cluster.md, in a schema per test run.
 */
final class DecisionTables implements AutoCloseable {

    private final AgroalDataSource pool;

    private DecisionTables(AgroalDataSource pool) {
        this.pool = pool;
    }

    /** A small pool to the harness' PostgreSQL server, where the tests put their stores. */
    static DecisionTables open(Endpoints all) throws SQLException {
        return new DecisionTables(LockstepDataSources.decisionStore(all.pgUrl(), all.pgLogin().user(),
                all.pgLogin().password(), 4));
    }

    void exec(String sql) throws Exception {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The first column of the one row of a {@code SELECT count(*) ...}. */
    long count(String sql) throws Exception {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Whether the lease of {@code incarnation} has run out by the database's clock (or its row is gone). */
    boolean leaseExpired(String schema, long incarnation) throws Exception {
        return count("SELECT count(*) FROM " + schema + ".incarnation WHERE id = " + incarnation
                + " AND expires_at > clock_timestamp()") == 0;
    }

    /** The rows {@code incarnation} still has: its lease row and its records. Zero once it is retired. */
    long rowsOf(String schema, long incarnation) throws Exception {
        return count("SELECT (SELECT count(*) FROM " + schema + ".incarnation WHERE id = " + incarnation + ") + "
                + "(SELECT count(*) FROM " + schema + ".decision WHERE incarnation = " + incarnation + ")");
    }

    /**
     * Whether the store holds a COMMIT record of transaction {@code node:incarnation:sequence} ({@code tx}, as
     * Lockstep prints a transaction): its decision reached the database.
     */
    boolean holdsCommit(String schema, String tx) throws Exception {
        String[] parts = tx.split(":");
        long incarnation = Long.parseLong(parts[1]);
        long sequence = Long.parseLong(parts[2]);
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT record FROM "
                + schema + ".decision WHERE incarnation = ?")) {
            ps.setLong(1, incarnation);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byte[] b = rs.getBytes(1);
                    LogRecord r = RecordCodec.decode(b, 0, b.length);
                    if (r instanceof CommitRecord commit && LockstepXids.parseGlobalId(commit.gtrid())
                            .filter(id -> id.sequence() == sequence).isPresent()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @Override
    public void close() {
        pool.close();
    }
}
