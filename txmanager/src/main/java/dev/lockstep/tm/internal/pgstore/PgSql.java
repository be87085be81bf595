package dev.lockstep.tm.internal.pgstore;

/**
 * The statements of the database store for one schema (docs/cluster.md, "Protocol"). Every write of an incarnation's
 * records carries its fence: the statement locks the incarnation's lease row {@code FOR SHARE} and writes only if the
 * writer's epoch is still the row's and the lease has not expired by the database's clock. A taker's epoch bump
 * ({@code UPDATE}) waits for such a write to commit and a write after the bump finds the new epoch, so a taken-over
 * incarnation never writes again, and the taker reads every record written before it.
 */
final class PgSql {

    /**
     * Registers an incarnation of a known node: its id is the database's, its first epoch 1, and the node's newest
     * incarnation follows. Parameters: the node's XID name, holder, lease s.
     */
    final String register;
    /** The name a node's XIDs carry. Parameter: its full id. */
    final String xidNameOf;
    /** A number for a new long node id's XID name. */
    final String nodeNumber;
    /** Records a node (its XID name and full id) if neither is known yet. Parameters: XID name, full id. */
    final String addNode;
    /** The newest incarnation a node ever registered. Parameter: node. */
    final String lastIncarnation;
    /**
     * Re-creates a retired incarnation's row, held by the caller, so an operator's decision can be recorded for it.
     * Parameters: id, node, holder, lease s.
     */
    final String resurrect;
    /** Extends the lease if still held at the epoch. Parameters: lease s, id, epoch. One row if held. */
    final String renew;
    /** Writes records (COMMIT, HEURISTIC) under the fence. Parameters: id, epoch, gtrids, kinds, records. */
    final String insert;
    /**
     * Closes decisions under the fence (END): deletes every record of a gtrid without heuristics and, where
     * heuristics keep the decision open, adds the END record. Parameters: id, epoch, gtrids, END records.
     */
    final String end;
    /** Deletes every record of one gtrid under the fence (FORGET); one row: leases held (0 if fenced), deleted. */
    final String forget;
    /** The lease row, to say why a fenced write was refused. Parameter: id. */
    final String leaseRow;
    /** The records of one incarnation in write order. Parameter: id. */
    final String records;
    /** The incarnations of one node: id, epoch, holder, whether expired. Parameter: node. */
    final String incarnationsOfNode;
    /** Every node that ever started in the store. */
    final String nodes;
    /**
     * Takes an expired lease: bumps the epoch, one row if this caller is the taker. Parameters: holder, lease s,
     * id.
     */
    final String takeOver;
    /**
     * The holder bumps its own epoch, to settle a write whose connection broke: waits for a statement still holding the
     * lease row FOR SHARE and fences out any that has not taken it yet. Extends the lease like a renewal. Parameters:
     * lease s, id, epoch. One row (the new epoch) if still held at the epoch.
     */
    final String refence;
    /** How many COMMIT records of the given gtrids an incarnation holds. Parameters: id, gtrids. */
    final String commitsOf;
    /** Gives the lease up now so a taker need not wait for expiry. Parameters: id, epoch. */
    final String release;
    /** Deletes an incarnation (and its records) still held at the epoch. Parameters: id, epoch. */
    final String retire;
    /** Whether an incarnation has records. Parameter: id. */
    final String hasRecords;

    PgSql(String s) {
        register = "WITH i AS (INSERT INTO " + s + ".incarnation (node_id, holder, epoch, expires_at) "
                + "VALUES (?, ?, 1, clock_timestamp() + make_interval(secs => ?)) RETURNING id, node_id), "
                + "n AS (UPDATE " + s + ".node SET last_incarnation = greatest(last_incarnation, i.id) FROM i "
                + "WHERE " + s + ".node.node_id = i.node_id) SELECT id FROM i";
        xidNameOf = "SELECT node_id FROM " + s + ".node WHERE name = ?";
        nodeNumber = "SELECT nextval('" + s + ".node_number')";
        addNode = "INSERT INTO " + s + ".node (node_id, name, last_incarnation) VALUES (?, ?, 0) "
                + "ON CONFLICT DO NOTHING";
        lastIncarnation = "SELECT last_incarnation FROM " + s + ".node WHERE node_id = ?";
        resurrect = "INSERT INTO " + s + ".incarnation (id, node_id, holder, epoch, expires_at) OVERRIDING SYSTEM "
                + "VALUE VALUES (?, ?, ?, 1, clock_timestamp() + make_interval(secs => ?)) ON CONFLICT (id) DO NOTHING";
        renew = "UPDATE " + s + ".incarnation SET expires_at = clock_timestamp() + make_interval(secs => ?) "
                + "WHERE id = ? AND epoch = ?";
        String fence = "WITH lease AS (SELECT id FROM " + s + ".incarnation WHERE id = ? AND epoch = ? "
                + "AND expires_at > clock_timestamp() FOR SHARE) ";
        insert = fence + "INSERT INTO " + s + ".decision (incarnation, gtrid, kind, record) "
                + "SELECT lease.id, r.gtrid, r.kind, r.record FROM lease, "
                + "unnest(?::bytea[], ?::smallint[], ?::bytea[]) WITH ORDINALITY AS r(gtrid, kind, record, n) "
                + "ORDER BY r.n";
        end = fence + ", e AS (SELECT g, r FROM unnest(?::bytea[], ?::bytea[]) AS t(g, r)), "
                + "kept AS (SELECT DISTINCT d.gtrid FROM " + s + ".decision d JOIN e ON d.gtrid = e.g "
                + "JOIN lease ON d.incarnation = lease.id WHERE d.kind = " + PgSchema.KIND_HEURISTIC + "), "
                + "gone AS (DELETE FROM " + s + ".decision d USING lease, e WHERE d.incarnation = lease.id "
                + "AND d.gtrid = e.g AND d.gtrid NOT IN (SELECT gtrid FROM kept)) "
                + "INSERT INTO " + s + ".decision (incarnation, gtrid, kind, record) "
                + "SELECT lease.id, e.g, " + PgSchema.KIND_END + ", e.r FROM lease, e "
                + "WHERE e.g IN (SELECT gtrid FROM kept)";
        forget = fence + ", gone AS (DELETE FROM " + s + ".decision d USING lease WHERE d.incarnation = lease.id "
                + "AND d.gtrid = ? RETURNING 1) SELECT (SELECT count(*) FROM lease), (SELECT count(*) FROM gone)";
        leaseRow = "SELECT epoch, holder, expires_at > clock_timestamp() FROM " + s + ".incarnation WHERE id = ?";
        records = "SELECT record FROM " + s + ".decision WHERE incarnation = ? ORDER BY seq";
        incarnationsOfNode = "SELECT id, epoch, holder, expires_at > clock_timestamp() FROM " + s + ".incarnation "
                + "WHERE node_id = ? ORDER BY id";
        nodes = "SELECT node_id FROM " + s + ".node ORDER BY node_id";
        takeOver = "UPDATE " + s + ".incarnation SET epoch = epoch + 1, holder = ?, "
                + "expires_at = clock_timestamp() + make_interval(secs => ?) "
                + "WHERE id = ? AND expires_at <= clock_timestamp() RETURNING epoch";
        refence = "UPDATE " + s + ".incarnation SET epoch = epoch + 1, "
                + "expires_at = clock_timestamp() + make_interval(secs => ?) WHERE id = ? AND epoch = ? RETURNING epoch";
        commitsOf = "SELECT count(*) FROM " + s + ".decision WHERE incarnation = ? AND kind = " + PgSchema.KIND_COMMIT
                + " AND gtrid = ANY(?::bytea[])";
        release = "UPDATE " + s + ".incarnation SET expires_at = clock_timestamp() WHERE id = ? AND epoch = ?";
        retire = "DELETE FROM " + s + ".incarnation WHERE id = ? AND epoch = ?";
        hasRecords = "SELECT EXISTS (SELECT 1 FROM " + s + ".decision WHERE incarnation = ?)";
    }
}
