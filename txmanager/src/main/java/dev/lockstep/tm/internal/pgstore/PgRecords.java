package dev.lockstep.tm.internal.pgstore;

import dev.lockstep.tm.log.DecisionFold;
import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.ForgetRecord;
import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.LogRecord;
import dev.lockstep.tm.log.MalformedRecordException;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.log.RecordCodec;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * Reading and writing an incarnation's records, each write fenced by the writer's lease ({@link PgSql}): one statement,
 * one round trip and, on an autocommit connection, one database commit per batch.
 */
final class PgRecords {

    private PgRecords() {
    }

    /**
     * Writes COMMIT and HEURISTIC records in one statement under the fence. Returns false if the fence refused them:
     * then none was written.
     */
    static boolean insert(Connection c, PgSql sql, PgLease lease, List<? extends LogRecord> records)
            throws SQLException {
        int n = records.size();
        byte[][] gtrids = new byte[n][];
        Short[] kinds = new Short[n];
        byte[][] bytes = new byte[n][];
        for (int i = 0; i < n; i++) {
            LogRecord r = records.get(i);
            gtrids[i] = r.key().bytes();
            kinds[i] = r instanceof HeuristicRecord ? PgSchema.KIND_HEURISTIC : PgSchema.KIND_COMMIT;
            bytes[i] = RecordCodec.encode(r);
        }
        try (PreparedStatement ps = c.prepareStatement(sql.insert)) {
            ps.setLong(1, lease.incarnation());
            ps.setLong(2, lease.epoch());
            Array g = c.createArrayOf("bytea", gtrids);
            Array k = c.createArrayOf("int2", kinds);
            Array b = c.createArrayOf("bytea", bytes);
            ps.setArray(3, g);
            ps.setArray(4, k);
            ps.setArray(5, b);
            return ps.executeUpdate() == n;
        }
    }

    /** Closes decisions (END) under the fence; silently nothing if fenced (an END never changes an outcome). */
    static void end(Connection c, PgSql sql, PgLease lease, List<EndRecord> ends) throws SQLException {
        int n = ends.size();
        byte[][] gtrids = new byte[n][];
        byte[][] bytes = new byte[n][];
        for (int i = 0; i < n; i++) {
            gtrids[i] = ends.get(i).gtrid();
            bytes[i] = RecordCodec.encode(ends.get(i));
        }
        try (PreparedStatement ps = c.prepareStatement(sql.end)) {
            ps.setLong(1, lease.incarnation());
            ps.setLong(2, lease.epoch());
            ps.setArray(3, c.createArrayOf("bytea", gtrids));
            ps.setArray(4, c.createArrayOf("bytea", bytes));
            ps.executeUpdate();
        }
    }

    /** Deletes every record of one decision (FORGET) under the fence; false if fenced. */
    static boolean forget(Connection c, PgSql sql, PgLease lease, ForgetRecord forget) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.forget)) {
            ps.setLong(1, lease.incarnation());
            ps.setLong(2, lease.epoch());
            ps.setBytes(3, forget.gtrid());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) == 1;
            }
        }
    }

    /** How many of {@code gtrids} have a COMMIT record in incarnation {@code id}. */
    static long commitsOf(Connection c, PgSql sql, long id, List<byte[]> gtrids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.commitsOf)) {
            ps.setLong(1, id);
            ps.setArray(2, c.createArrayOf("bytea", gtrids.toArray(new byte[0][])));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The open decisions of incarnation {@code id}, folded as replay folds the file log's records. */
    static Map<Gtrid, PendingDecision> read(Connection c, PgSql sql, long id) throws SQLException,
            MalformedRecordException {
        DecisionFold fold = new DecisionFold();
        try (PreparedStatement ps = c.prepareStatement(sql.records)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byte[] b = rs.getBytes(1);
                    fold.apply(RecordCodec.decode(b, 0, b.length));
                }
            }
        }
        return fold.pending();
    }
}
