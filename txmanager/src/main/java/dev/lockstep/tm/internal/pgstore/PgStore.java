package dev.lockstep.tm.internal.pgstore;

import dev.lockstep.tm.internal.DaemonThreads;
import dev.lockstep.tm.internal.coordinator.DecisionStore;
import dev.lockstep.tm.internal.coordinator.OpenedDecisionStore;
import dev.lockstep.tm.log.MalformedRecordException;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.spi.CrashPoint;
import dev.lockstep.tm.spi.LockstepXids;
import dev.lockstep.tm.store.PostgresDecisionStore;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One transaction manager's incarnation in the database store: registered at open (the database assigns its number),
 * its lease renewed every third of its length, its decisions written by a {@link PgDecisionWriter}. At close the
 * writer drains; an incarnation with nothing open is deleted, else its lease is released so a recovery takes it over
 * at once.
 */
public final class PgStore implements OpenedDecisionStore {

    private static final System.Logger LOG = System.getLogger("dev.lockstep.tm.PgStore");

    private final PostgresDecisionStore config;
    private final PgSql sql;
    private final String xidName;
    private final PgDecisionWriter writer;
    private final ScheduledExecutorService renewer;
    private final List<PendingDecision> pendingOfEarlier;
    private volatile boolean leaseLost;
    private volatile java.util.function.Consumer<String> whenLost;

    private PgStore(PostgresDecisionStore config, PgSql sql, PgLease lease, String nodeId, String xidName,
            List<PendingDecision> pendingOfEarlier, CrashPoint.Hook crashHook) {
        this.config = config;
        this.xidName = xidName;
        this.sql = sql;
        this.pendingOfEarlier = List.copyOf(pendingOfEarlier);
        this.writer = new PgDecisionWriter(config.dataSource(), sql, lease, config.lease(), nodeId, this::lost,
                crashHook);
        this.renewer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("lockstep-lease-" + nodeId));
        long every = Math.max(1, config.lease().toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Checks (or creates) the schema, registers a new incarnation of {@code nodeId} with its lease, and reads the open
     * decisions of the node's earlier incarnations. {@code crashHook} is told of C7 by the writer
     * ({@link PgDecisionWriter}); {@link CrashPoint.Hook#NONE} outside the crash tests.
     *
     * @throws IllegalStateException naming the problem: the schema is missing or of another version, or the database
     *     cannot be reached
     */
    public static PgStore open(PostgresDecisionStore config, String nodeId, CrashPoint.Hook crashHook) {
        PgSql sql = new PgSql(config.schema());
        try (Connection c = config.dataSource().getConnection()) {
            PgSchema.ensure(c, config.schema(), config.createSchema(), config.lease());
            c.setAutoCommit(true);
            String xidName = xidName(c, sql, nodeId);
            PgLease lease = PgLease.register(c, sql, xidName, holder(nodeId), config.lease());
            List<PendingDecision> earlier = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql.incarnationsOfNode)) {
                ps.setString(1, xidName);
                List<Long> ids = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getLong(1) != lease.incarnation()) {
                            ids.add(rs.getLong(1));
                        }
                    }
                }
                for (long id : ids) {
                    earlier.addAll(PgRecords.read(c, sql, id).values());
                }
            }
            return new PgStore(config, sql, lease, nodeId, xidName, earlier, crashHook);
        } catch (SQLException | MalformedRecordException e) {
            throw new IllegalStateException(TmMessage.STORE_OPEN_FAILED + " cannot open the decision store "
                    + config.location() + " for node '" + nodeId + "': " + e.getMessage(), e);
        }
    }

    /**
     * The name the XIDs of {@code nodeId} carry, recorded in the store at its first start: the id itself when it fits
     * an XID, else {@link LockstepXids#xidNodeName} with a number from the store's sequence. The same at every start.
     */
    static String xidName(Connection c, PgSql sql, String nodeId) throws SQLException {
        for (int attempt = 0; attempt < 3; attempt++) {
            String known = knownXidName(c, sql, nodeId);
            if (known != null) {
                return known;
            }
            String candidate = nodeId;
            if (nodeId.length() > LockstepXids.MAX_NODE_ID_LENGTH) {
                try (PreparedStatement ps = c.prepareStatement(sql.nodeNumber); ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    candidate = LockstepXids.xidNodeName(nodeId, rs.getLong(1));
                }
            }
            try (PreparedStatement ps = c.prepareStatement(sql.addNode)) {
                ps.setString(1, candidate);
                ps.setString(2, nodeId);
                ps.executeUpdate();
            }
        }
        String known = knownXidName(c, sql, nodeId);
        if (known == null) {
            throw new SQLException("node id '" + nodeId + "' cannot be recorded: the name its XIDs would carry is "
                    + "taken by another node's; choose another node id");
        }
        return known;
    }

    private static String knownXidName(Connection c, PgSql sql, String nodeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.xidNameOf)) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Who holds a lease, for operators: node, process and host. */
    static String holder(String nodeId) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown-host";
        }
        return nodeId + " (pid " + ProcessHandle.current().pid() + " on " + host + ", "
                + ManagementFactory.getRuntimeMXBean().getStartTime() + ")";
    }

    /** The incarnation number: the database's id of the lease row, carried in this node's XIDs. */
    @Override
    public long incarnation() {
        return writer.lease().incarnation();
    }

    @Override
    public String xidNodeName() {
        return xidName;
    }

    @Override
    public DecisionStore decisions() {
        return writer;
    }

    public PgDecisionWriter writer() {
        return writer;
    }

    @Override
    public List<PendingDecision> pendingOfEarlier() {
        return pendingOfEarlier;
    }

    private void lost(String why) {
        leaseLost = true;
        java.util.function.Consumer<String> l = whenLost;
        if (l != null) {
            l.accept(why);
        }
    }

    @Override
    public void onLost(java.util.function.Consumer<String> whenLost) {
        this.whenLost = whenLost;
        if (leaseLost) {
            whenLost.accept(TmMessage.LEASE_LOST + " the lease of incarnation " + incarnation() + " was lost");
        }
    }

    @Override
    public String problem() {
        return leaseLost ? TmMessage.LEASE_LOST + " the lease of incarnation " + incarnation() + " in "
                + location() + " was lost: this node can no longer decide; restart it to register a new incarnation"
                : null;
    }

    /** True once a renewal or a write found the lease taken: every later decision is refused. */
    public boolean leaseLost() {
        return leaseLost;
    }

    private void renew() {
        if (leaseLost) {
            return;
        }
        // The writer's lease: its epoch moves on when the writer settles a broken write (PgDecisionWriter#settle).
        PgLease lease = writer.lease();
        try (Connection c = config.dataSource().getConnection()) {
            c.setAutoCommit(true);
            if (!lease.renew(c, sql, config.lease())) {
                if (writer.lease() != lease) {
                    return; // the writer bumped the epoch meanwhile, and that extended the lease too
                }
                PgLease.Refusal refusal = lease.refusal(c, sql);
                if (refusal.lost()) {
                    String why = TmMessage.LEASE_LOST + " " + refusal.why() + ": this node can no longer decide; "
                            + "restart it to register a new incarnation";
                    LOG.log(Level.ERROR, why);
                    lost(why);
                }
            }
        } catch (SQLException e) {
            LOG.log(Level.WARNING, TmMessage.LEASE_RENEW_FAILED + " renewing the lease of incarnation "
                    + lease.incarnation() + " failed: " + e.getMessage());
        }
    }

    /**
     * Stops renewing, drains the writer, then deletes the incarnation if nothing in it is open (retirement) or releases
     * its lease so a recovery takes it over at once.
     */
    @Override
    public void close() {
        renewer.shutdownNow();
        writer.close();
        PgLease lease = writer.lease();
        try (Connection c = config.dataSource().getConnection()) {
            c.setAutoCommit(true);
            boolean open;
            try (PreparedStatement ps = c.prepareStatement(sql.hasRecords)) {
                ps.setLong(1, lease.incarnation());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    open = rs.getBoolean(1);
                }
            }
            if (open) {
                lease.release(c, sql);
            } else {
                lease.retire(c, sql);
            }
        } catch (SQLException e) {
            LOG.log(Level.WARNING, TmMessage.STORE_RELEASE_FAILED + " closing incarnation " + lease.incarnation()
                    + " in the decision store: " + e.getMessage());
        }
    }

    /** END records are written by the writer when it is idle; nothing to do here. */
    @Override
    public void flushLazily() {
    }

    @Override
    public long durableWrites() {
        return writer.batches();
    }

    @Override
    public long recordsWritten() {
        return writer.recordsWritten();
    }

    @Override
    public long bytesWritten() {
        return 0;
    }

    @Override
    public String location() {
        return config.location() + ", incarnation " + incarnation();
    }

    /** How long a lease lasts; for tests and messages. */
    public Duration leaseLength() {
        return config.lease();
    }
}
