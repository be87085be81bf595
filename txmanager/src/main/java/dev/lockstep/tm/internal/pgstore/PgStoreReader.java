package dev.lockstep.tm.internal.pgstore;

import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.store.PostgresDecisionStore;
import dev.lockstep.tm.store.StoreRows.StoredIncarnation;
import dev.lockstep.tm.store.StoreRows.StoredNode;
import dev.lockstep.tm.store.StoreRows.StoredRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a store's rows for {@code log dump} in one read-only, repeatable-read transaction: a consistent snapshot that
 * writes nothing (no lease taken, no schema created), so it may run beside live nodes.
 */
public final class PgStoreReader {

    private PgStoreReader() {
    }

    /** @see dev.lockstep.tm.store.StoreRows#read */
    public static List<StoredNode> read(PostgresDecisionStore config, List<String> only) {
        String s = config.schema();
        try (Connection c = config.dataSource().getConnection()) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                Integer version = PgSchema.version(c, s);
                if (version == null) {
                    throw new IllegalStateException(TmMessage.STORE_SCHEMA_MISSING + " the decision store has no schema "
                            + "'" + s + "' (no table " + s + ".schema_version): no node has started with this store, or "
                            + "the schema is another; check decision.store.schema and the URL's database");
                }
                if (version != PgSchema.VERSION) {
                    throw new IllegalStateException(TmMessage.STORE_SCHEMA_VERSION + " the decision store's schema '"
                            + s + "' has version " + version + "; this Lockstep reads version " + PgSchema.VERSION);
                }
                Map<String, List<StoredIncarnation>> byNode = new LinkedHashMap<>();
                Map<Long, List<StoredRecord>> byIncarnation = records(c, s);
                try (PreparedStatement ps = c.prepareStatement("SELECT id, node_id, holder, epoch, expires_at, "
                        + "expires_at <= clock_timestamp(), started_at FROM " + s + ".incarnation ORDER BY id");
                        ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        byNode.computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(new StoredIncarnation(id,
                                rs.getString(3), rs.getLong(4), rs.getTimestamp(5).toInstant(), rs.getBoolean(6),
                                rs.getTimestamp(7).toInstant(), byIncarnation.getOrDefault(id, List.of())));
                    }
                }
                List<StoredNode> nodes = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT node_id, name, last_incarnation FROM " + s
                        + ".node ORDER BY node_id"); ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String nodeId = rs.getString(1);
                        String name = rs.getString(2);
                        if (only == null || only.contains(nodeId) || only.contains(name)) {
                            nodes.add(new StoredNode(nodeId, name, rs.getLong(3),
                                    List.copyOf(byNode.getOrDefault(nodeId, List.of()))));
                        }
                    }
                }
                return nodes;
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(TmMessage.STORE_OPEN_FAILED + " cannot read the decision store "
                    + config.location() + ": " + e.getMessage(), e);
        }
    }

    private static Map<Long, List<StoredRecord>> records(Connection c, String s) throws SQLException {
        Map<Long, List<StoredRecord>> records = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT incarnation, seq, kind, record FROM " + s
                + ".decision ORDER BY incarnation, seq"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                records.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                        .add(new StoredRecord(rs.getLong(2), rs.getShort(3), rs.getBytes(4)));
            }
        }
        return records;
    }
}
