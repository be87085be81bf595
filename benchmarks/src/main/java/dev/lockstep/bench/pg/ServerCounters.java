package dev.lockstep.bench.pg;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * What the server itself counts, read on a connection of its own: the next transaction id, which grows by one for
 * each transaction that wrote (was given an xid), whoever ran it; with {@code synchronous_commit = on} each of them
 * that committed waited for its WAL flush. Read-only transactions (this reader's own queries) take no xid. Unlike
 * {@code pg_stat_database.xact_commit}, which backends publish at most once a second (and idle ones up to 10 s
 * late), it is exact at any instant, so it can be read at a window's edges.
 */
public final class ServerCounters implements AutoCloseable {

    private final Connection connection;

    public ServerCounters(PgTarget pg) throws SQLException {
        this.connection = pg.connect();
    }

    /** Adds {@code serverXids} (cumulative) to {@code counters}; -1 if the server could not be asked. */
    public void addTo(Map<String, Long> counters) {
        long xid;
        synchronized (this) {
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")) {
                rs.next();
                xid = rs.getLong(1);
            } catch (SQLException e) {
                xid = -1;
            }
        }
        counters.put("serverXids", xid);
    }

    @Override
    public synchronized void close() throws SQLException {
        connection.close();
    }
}
