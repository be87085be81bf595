package dev.lockstep.bench.pg;

import dev.lockstep.bench.micro.TxSystem;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.transaction.xa.XAResource;

/**
 * Ceiling of a database store that writes each decision alone: each "transaction" inserts one row holding a record
 * of the size of Lockstep's COMMIT record on a connection of its own (autocommit, {@code synchronous_commit = on}),
 * one statement, one round trip and one database commit each, no batching by the client. Concurrent commits on
 * different connections may still share one WAL flush in the server: that is PostgreSQL's own group commit, which
 * any row-per-commit store gets for free.
 */
public final class PgRowCeiling implements TxSystem {

    private final PgTarget pg;
    private final String table;
    private final int recordBytes;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final List<Connection> all = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final LongAdder inserted = new LongAdder();
    private final ServerCounters server;

    public PgRowCeiling(PgTarget pg, int recordBytes) throws SQLException {
        this.pg = pg;
        this.recordBytes = recordBytes;
        this.table = PgTarget.trialName("bench_row");
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id BIGINT NOT NULL, record BYTEA NOT NULL)");
        }
        this.server = new ServerCounters(pg);
        for (int i = 0; i < pg.maxThreads(); i++) {
            idle.add(open());
        }
    }

    @Override
    public void transaction(XAResource[] ignored) throws SQLException {
        Connection c = idle.pollFirst();
        if (c == null) {
            c = open();
        }
        try {
            byte[] record = new byte[recordBytes];
            long id = ids.incrementAndGet();
            for (int i = 0; i < 8; i++) {
                record[i] = (byte) (id >>> (8 * i));
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id, record) VALUES (?, ?)")) {
                ps.setLong(1, id);
                ps.setBytes(2, record);
                if (ps.executeUpdate() != 1) {
                    throw new SQLException("the insert wrote no row");
                }
            }
            inserted.increment();
        } finally {
            idle.addFirst(c);
        }
    }

    private Connection open() throws SQLException {
        Connection c = pg.connect();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute("SET synchronous_commit = on");
        }
        synchronized (all) {
            all.add(c);
        }
        return c;
    }

    @Override
    public boolean drivesResources() {
        return false;
    }

    @Override
    public String selfCheck(long completed, Map<String, Long> counterDeltas) {
        long n = counterDeltas.getOrDefault("dbCommits", -1L);
        return n == completed ? null : completed + " transactions completed but " + n + " rows committed";
    }

    @Override
    public Map<String, String> configuration() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("record", recordBytes + " bytes of BYTEA (Lockstep's COMMIT record of two branches) and a BIGINT id, "
                + "one row per transaction, in a table of its own per trial (no index)");
        c.put("write", "INSERT of one row on a connection of its own (pgjdbc, autocommit, SET synchronous_commit = on),"
                + " one statement and one database commit each, " + pg.maxThreads() + " connections (the most threads of the "
                + "run) opened before the first transaction, each thread takes one from an idle stack and gives it back after its commit");
        c.put("table", table);
        return c;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> c = new LinkedHashMap<>();
        long n = inserted.sum();
        c.put("tx", n);
        c.put("dbStatements", n);
        c.put("dbRoundTrips", n);
        c.put("dbCommits", n);
        server.addTo(c);
        return c;
    }

    @Override
    public void close() throws SQLException {
        synchronized (all) {
            for (Connection c : all) {
                c.close();
            }
        }
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
        } finally {
            server.close();
        }
    }
}
