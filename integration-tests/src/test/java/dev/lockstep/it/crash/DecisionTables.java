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

    /**
     * What the server says when a takeover does not come: the schema's lease rows against the database's clock, and
     * every other session with its state, its transaction's age, what it waits for, the locks it holds or awaits
     * and its query, for the failure message of a test.
     */
    String diagnosis(String schema) throws Exception {
        StringBuilder out = new StringBuilder("lease rows (id, node, holder, epoch, seconds left):\n");
        rows(out, "SELECT id, node_id, holder, epoch, extract(epoch FROM expires_at - clock_timestamp()) FROM "
                + schema + ".incarnation ORDER BY id");
        out.append("sessions (pid, application, state, xact age s, wait, query):\n");
        rows(out, "SELECT pid, application_name, state, extract(epoch FROM clock_timestamp() - xact_start), "
                + "wait_event_type || ':' || wait_event, left(query, 160) FROM pg_stat_activity "
                + "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() ORDER BY pid");
        out.append("locks on the schema's relations (pid, relation, mode, granted):\n");
        rows(out, "SELECT l.pid, c.relname, l.mode, l.granted FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '" + schema + "' ORDER BY l.pid");
        out.append("blocked sessions (pid, blocked by):\n");
        rows(out, "SELECT pid, pg_blocking_pids(pid)::text FROM pg_stat_activity "
                + "WHERE cardinality(pg_blocking_pids(pid)) > 0");
        return out.toString();
    }

    private void rows(StringBuilder out, String sql) throws Exception {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                out.append("  ");
                for (int i = 1; i <= columns; i++) {
                    out.append(i > 1 ? " | " : "").append(rs.getString(i));
                }
                out.append('\n');
            }
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

    /**
     * Locks the lease row of {@code incarnation} ({@code FOR UPDATE}) in a transaction of its own, so that its
     * holder's renewal and a taker's epoch bump wait in the server; {@link LeaseLock#release()} lets them go, in the
     * order they came.
     */
    LeaseLock lockLease(String schema, long incarnation) throws Exception {
        Connection c = pool.getConnection();
        LeaseLock lock = new LeaseLock(c);
        try {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM " + schema
                    + ".incarnation WHERE id = " + incarnation + " FOR UPDATE")) {
                if (!rs.next()) {
                    throw new AssertionError("incarnation " + incarnation + " has no lease row in " + schema);
                }
            }
            return lock;
        } catch (Exception | AssertionError e) {
            lock.close();
            throw e;
        }
    }

    /** A lease row held locked by the test. */
    static final class LeaseLock implements AutoCloseable {
        private final Connection connection;

        private LeaseLock(Connection connection) {
            this.connection = connection;
        }

        /** Ends the locking transaction: whoever waits for the row goes on. */
        void release() throws SQLException {
            if (!connection.getAutoCommit()) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }

        @Override
        public void close() throws SQLException {
            try {
                release();
            } finally {
                connection.close();
            }
        }
    }

    /**
     * Sessions running a statement that starts with {@code statementStart}: all of them, or only those waiting for a
     * lock.
     */
    long sessionsIn(String statementStart, boolean waitingForLock) throws Exception {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM "
                + "pg_stat_activity WHERE state = 'active' AND starts_with(query, ?)"
                + (waitingForLock ? " AND wait_event_type = 'Lock'" : ""))) {
            ps.setString(1, statementStart);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * The lease of {@code incarnation} now, by the database's clock: its epoch (0 once the row is gone, retired), its
     * expiry and the time it was read, in microseconds since the epoch.
     */
    Lease lease(String schema, long incarnation) throws Exception {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT coalesce(i.epoch, 0), coalesce((extract(epoch FROM i.expires_at) * 1e6)::bigint, 0), "
                        + "(extract(epoch FROM n.t) * 1e6)::bigint FROM (SELECT clock_timestamp() AS t) n "
                        + "LEFT JOIN " + schema + ".incarnation i ON i.id = " + incarnation)) {
            rs.next();
            return new Lease(rs.getLong(1), rs.getLong(2), rs.getLong(3));
        }
    }

    /** A lease row as read at {@code nowMicros}; epoch 0 if there is none. */
    record Lease(long epoch, long expiresMicros, long nowMicros) {

        boolean held() {
            return expiresMicros > nowMicros;
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
