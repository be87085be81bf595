package dev.lockstep.tm.internal.pgstore;

import dev.lockstep.tm.internal.recovery.DecisionSource;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.ForgetRecord;
import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.LogRecord;
import dev.lockstep.tm.log.MalformedRecordException;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.recovery.InDoubtTransaction.Owner;
import dev.lockstep.tm.store.PostgresDecisionStore;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recovery's view of the database store (docs/cluster.md, "Takeover"). Ownership is the lease: an incarnation whose
 * lease has not expired by the database's clock is alive; an expired one is taken by bumping its epoch, exactly one
 * taker wins, and only then are its decisions read, so its owner can no longer add one (invariants 4 and 5). The
 * taker holds the lease while it works (each write renews it and is fenced by it); when it stops without retiring the
 * incarnation, it releases the lease for the next taker.
 *
 * <p>There is no recovery lock per node: any number of recoveries (the service, and every node's in-process recovery)
 * may scan one store, because each incarnation is worked on only by the holder of its lease.
 */
public final class PgDecisionSource implements DecisionSource {

    private final PostgresDecisionStore config;
    private final PgSql sql;
    private final String holder;

    public PgDecisionSource(PostgresDecisionStore config, String who) {
        this.config = config;
        this.sql = new PgSql(config.schema());
        this.holder = PgStore.holder(who);
        try (Connection c = config.dataSource().getConnection()) {
            PgSchema.ensure(c, config.schema(), config.createSchema(), config.lease());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the decision store " + config.location() + " for recovery: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String location() {
        return config.location();
    }

    @Override
    public String location(String nodeId) {
        return config.location() + ", node '" + nodeId + "'";
    }

    /** Every node that ever started in the store, for a recovery of all nodes. */
    @Override
    public List<String> nodes() throws IOException {
        List<String> nodes = new ArrayList<>();
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql.nodes);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                nodes.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IOException("cannot list the nodes of " + location() + ": " + e.getMessage(), e);
        }
        return nodes;
    }

    @Override
    public RecoveryLock lockForRecovery(String nodeId) {
        return new RecoveryLock() {
            @Override
            public String name() {
                return "the leases of node '" + nodeId + "' in " + location();
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public Long lastIncarnation(String nodeId) throws IOException {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql.lastIncarnation)) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        } catch (SQLException e) {
            throw new IOException("cannot read node '" + nodeId + "' in " + location() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public NodeDecisions node(String nodeId) throws IOException {
        Long last = lastIncarnation(nodeId);
        Map<Long, Boolean> alive = new LinkedHashMap<>();
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql.incarnationsOfNode)) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    alive.put(rs.getLong(1), rs.getBoolean(4));
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot read node '" + nodeId + "' in " + location() + ": " + e.getMessage(), e);
        }
        return new Node(nodeId, last, alive);
    }

    @Override
    public Taken takeOver(String nodeId, long incarnation) throws IOException {
        try (Connection c = connection()) {
            PgLease lease = PgLease.takeOver(c, sql, incarnation, holder, config.lease());
            if (lease == null) {
                if (exists(c, incarnation)) {
                    return null;
                }
                // Retired: nothing was open. Re-create its row, held by us, for an operator's decision.
                try (PreparedStatement ps = c.prepareStatement(sql.resurrect)) {
                    ps.setLong(1, incarnation);
                    ps.setString(2, nodeId);
                    ps.setString(3, holder);
                    ps.setDouble(4, PgLease.seconds(config.lease()));
                    ps.executeUpdate();
                }
                lease = new PgLease(incarnation, 1, holder);
            }
            return taken(c, lease);
        } catch (SQLException | MalformedRecordException e) {
            throw new IOException("cannot take over incarnation " + incarnation + " of node '" + nodeId + "' in "
                    + location() + ": " + e.getMessage(), e);
        }
    }

    /** An incarnation whose lease we just took, with its records read after the epoch bump. */
    private Taken taken(Connection c, PgLease lease) throws SQLException, MalformedRecordException {
        return new Taken(new TakenLease(lease), PgRecords.read(c, sql, lease.incarnation()), "");
    }

    private boolean exists(Connection c, long incarnation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.leaseRow)) {
            ps.setLong(1, incarnation);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private Connection connection() throws SQLException {
        Connection c = config.dataSource().getConnection();
        c.setAutoCommit(true);
        return c;
    }

    /** One node's incarnations as listed once. */
    private final class Node implements NodeDecisions {
        private final String nodeId;
        private final Long last;
        private final Map<Long, Boolean> alive;

        Node(String nodeId, Long last, Map<Long, Boolean> alive) {
            this.nodeId = nodeId;
            this.last = last;
            this.alive = alive;
        }

        @Override
        public boolean hasLog() {
            return last != null;
        }

        @Override
        public Set<Long> incarnations() {
            return alive.keySet();
        }

        @Override
        public String missingLogProblem() {
            return "node '" + nodeId + "' has branches in doubt but never started in " + location() + ": check the "
                    + "decision store's settings (database and schema); recovery will not presume abort without its "
                    + "decisions, resolve by hand if they are truly lost";
        }

        @Override
        public Look look(long inc, boolean takeOver) {
            if (!alive.containsKey(inc)) {
                if (last != null && inc <= last) {
                    // Retired: deleted only when nothing in it was open. Presume abort.
                    return new Look(Owner.DEAD, Map.of(), null, "", null, null);
                }
                return new Look(Owner.NO_LOG, Map.of(), null, "", "no incarnation " + inc + " of node '" + nodeId
                        + "' in " + location(), null);
            }
            Owner owner = null;
            try (Connection c = connection()) {
                if (takeOver) {
                    PgLease lease = PgLease.takeOver(c, sql, inc, holder, config.lease());
                    if (lease != null) {
                        Taken t = taken(c, lease);
                        return new Look(Owner.DEAD, t.pending(), t, "", null, null);
                    }
                    owner = Owner.ALIVE;
                } else {
                    owner = alive.get(inc) ? Owner.ALIVE : Owner.DEAD;
                }
                return new Look(owner, PgRecords.read(c, sql, inc), null, "", null, null);
            } catch (SQLException | MalformedRecordException e) {
                return new Look(owner == null ? Owner.DEAD : owner, Map.of(), null, "", null,
                        new IOException("cannot read incarnation " + inc + " of node '" + nodeId + "' in "
                                + location() + ": " + e.getMessage(), e));
            }
        }
    }

    /** An incarnation whose lease this recovery holds: every write renews the lease and is fenced by it. */
    private final class TakenLease implements TakenOverLog {
        private final PgLease lease;

        TakenLease(PgLease lease) {
            this.lease = lease;
        }

        @Override
        public void writeCommit(CommitRecord record) throws IOException {
            insert(record);
        }

        @Override
        public void writeHeuristic(HeuristicRecord record) throws IOException {
            insert(record);
        }

        private void insert(LogRecord record) throws IOException {
            try (Connection c = connection()) {
                if (!lease.renew(c, sql, config.lease()) || !PgRecords.insert(c, sql, lease, List.of(record))) {
                    throw lost(c);
                }
            } catch (SQLException e) {
                throw new IOException("writing to incarnation " + lease.incarnation() + " in " + location()
                        + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void writeEnd(EndRecord record) throws IOException {
            try (Connection c = connection()) {
                PgRecords.end(c, sql, lease, List.of(record));
            } catch (SQLException e) {
                throw new IOException("writing an END to incarnation " + lease.incarnation() + " in " + location()
                        + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void writeForget(ForgetRecord record) throws IOException {
            try (Connection c = connection()) {
                if (!lease.renew(c, sql, config.lease()) || !PgRecords.forget(c, sql, lease, record)) {
                    throw lost(c);
                }
            } catch (SQLException e) {
                throw new IOException("writing a FORGET to incarnation " + lease.incarnation() + " in " + location()
                        + " failed: " + e.getMessage(), e);
            }
        }

        private IOException lost(Connection c) {
            return new IOException(dev.lockstep.tm.messages.TmMessage.LEASE_LOST + " " + lease.refusal(c, sql).why()
                    + ": this recovery no longer holds incarnation " + lease.incarnation());
        }

        /** Renews the lease; false if another recovery took it meanwhile (a database error keeps it, to retry). */
        @Override
        public boolean stillHeld() {
            try (Connection c = connection()) {
                return lease.renew(c, sql, config.lease()) || !lease.refusal(c, sql).lost();
            } catch (SQLException e) {
                return true;
            }
        }

        @Override
        public void retire() throws IOException {
            try (Connection c = connection()) {
                if (!lease.retire(c, sql)) {
                    throw lost(c);
                }
            } catch (SQLException e) {
                throw new IOException("retiring incarnation " + lease.incarnation() + " in " + location()
                        + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            try (Connection c = connection()) {
                lease.release(c, sql);
            } catch (SQLException e) {
                // The lease expires by itself; the next taker waits for that.
                throw new IOException("releasing incarnation " + lease.incarnation() + " in " + location()
                        + " failed: " + e.getMessage(), e);
            }
        }
    }
}
