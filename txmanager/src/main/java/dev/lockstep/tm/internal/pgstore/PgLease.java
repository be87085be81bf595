package dev.lockstep.tm.internal.pgstore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * One incarnation's lease as its holder knows it: the row's id (also the incarnation number in this node's XIDs) and
 * the epoch at which this holder took it. Times are the database's ({@code clock_timestamp()}), never this node's.
 */
record PgLease(long incarnation, long epoch, String holder) {

    /** Registers a new incarnation of {@code nodeId} holding its lease for {@code length}. */
    static PgLease register(Connection c, PgSql sql, String nodeId, String holder, Duration length)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.register)) {
            ps.setString(1, nodeId);
            ps.setString(2, holder);
            ps.setDouble(3, seconds(length));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new PgLease(rs.getLong(1), 1, holder);
            }
        }
    }

    /**
     * Takes the expired lease of incarnation {@code id}: bumps its epoch, before the taker reads a record. Returns null
     * if the lease is still held (or was just taken by another taker): exactly one taker wins.
     */
    static PgLease takeOver(Connection c, PgSql sql, long id, String holder, Duration length) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.takeOver)) {
            ps.setString(1, holder);
            ps.setDouble(2, seconds(length));
            ps.setLong(3, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new PgLease(id, rs.getLong(1), holder) : null;
            }
        }
    }

    /** Extends the lease by {@code length} from now; false if it is no longer held at this epoch. */
    boolean renew(Connection c, PgSql sql, Duration length) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.renew)) {
            ps.setDouble(1, seconds(length));
            ps.setLong(2, incarnation);
            ps.setLong(3, epoch);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Bumps this holder's own epoch and extends the lease, as a taker would: returns the lease at the new epoch, or
     * null if it is no longer held at this one (taken over or retired). The update waits for a fenced write of this
     * holder still running on another connection, and fences out one that has not started, so what the table holds
     * for this incarnation afterwards is final.
     */
    PgLease refence(Connection c, PgSql sql, Duration length) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.refence)) {
            ps.setDouble(1, seconds(length));
            ps.setLong(2, incarnation);
            ps.setLong(3, epoch);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new PgLease(incarnation, rs.getLong(1), holder) : null;
            }
        }
    }

    /**
     * After a {@link #refence} that found the row at another epoch: the lease at the row's epoch if its holder is
     * still this one, i.e. an earlier bump of ours committed but its reply was lost; else null (taken or retired).
     */
    PgLease ownBump(Connection c, PgSql sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.leaseRow)) {
            ps.setLong(1, incarnation);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getLong(1) > epoch && holder.equals(rs.getString(2))) {
                    return new PgLease(incarnation, rs.getLong(1), holder);
                }
                return null;
            }
        }
    }

    /** Lets the lease expire now, so a taker need not wait. */
    void release(Connection c, PgSql sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.release)) {
            ps.setLong(1, incarnation);
            ps.setLong(2, epoch);
            ps.executeUpdate();
        }
    }

    /** Deletes the incarnation and its records if still held at this epoch; false if it was taken. */
    boolean retire(Connection c, PgSql sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.retire)) {
            ps.setLong(1, incarnation);
            ps.setLong(2, epoch);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Why a fenced write or a renewal was refused, read from the lease row once.
     *
     * @param why in words: taken over, expired, or deleted
     * @param lost true if this holder can never write again (the row is gone or its epoch moved on), false for a
     *     mere expiry or a row that could not be read
     */
    record Refusal(String why, boolean lost) {
    }

    Refusal refusal(Connection c, PgSql sql) {
        try (PreparedStatement ps = c.prepareStatement(sql.leaseRow)) {
            ps.setLong(1, incarnation);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new Refusal("incarnation " + incarnation + " no longer exists in the store (a recovery "
                            + "retired it)", true);
                }
                long now = rs.getLong(1);
                if (now != epoch) {
                    return new Refusal("the lease of incarnation " + incarnation + " was taken over by "
                            + rs.getString(2) + " (epoch " + epoch + " -> " + now + ")", true);
                }
                return new Refusal(rs.getBoolean(3) ? "the lease of incarnation " + incarnation + " is held, yet the "
                        + "write found it expired (it was renewed since)" : "the lease of incarnation " + incarnation
                        + " expired without renewal", false);
            }
        } catch (SQLException e) {
            return new Refusal("the lease of incarnation " + incarnation + " was not held (its row cannot be read: "
                    + e + ")", false);
        }
    }

    static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
