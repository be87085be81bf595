package dev.lockstep.tm.store;

import dev.lockstep.tm.internal.pgstore.PgStoreReader;
import java.time.Instant;
import java.util.List;

/**
 * What a {@link PostgresDecisionStore} holds, row by row, for an operator's {@code log dump} (docs/cluster.md, "Schema";
 * docs/recovery-service.md): every node, its incarnations with their leases, and the raw bytes of each record, which
 * {@link dev.lockstep.tm.log.RecordCodec} decodes as it decodes the file log's frames.
 *
 * <p>Read-only: one read-only, repeatable-read transaction, so the rows are one consistent snapshot; it takes no
 * lease, bumps no epoch, creates no schema, and may run beside live nodes and recoveries.
 */
public final class StoreRows {

    private StoreRows() {
    }

    /**
     * A node that ever started in the store.
     *
     * @param nodeId the name its XIDs carry
     * @param name its full node id (the same as {@code nodeId} unless that was longer than an XID allows)
     * @param lastIncarnation the newest incarnation it registered; those at or below it without a row were retired
     * @param incarnations its incarnations that still have a row (running, or dead and unfinished)
     */
    public record StoredNode(String nodeId, String name, long lastIncarnation, List<StoredIncarnation> incarnations) {
    }

    /**
     * One incarnation and its lease.
     *
     * @param expired whether the lease had expired by the database's clock when the snapshot was taken
     * @param records its records in write order
     */
    public record StoredIncarnation(long id, String holder, long epoch, Instant expiresAt, boolean expired,
                                    Instant startedAt, List<StoredRecord> records) {
    }

    /**
     * One row of the {@code decision} table.
     *
     * @param seq its place in the store's write order
     * @param kind the table's kind column (1 COMMIT, 2 END, 3 HEURISTIC)
     * @param bytes the record as the file log's codec encodes it
     */
    public record StoredRecord(long seq, short kind, byte[] bytes) {
    }

    /**
     * Reads the nodes named in {@code nodes} (by either name; every node if null) and their rows.
     *
     * @throws IllegalStateException naming the problem: the database cannot be reached, the schema does not exist
     *     (no node has started with it yet) or has another version
     */
    public static List<StoredNode> read(PostgresDecisionStore store, List<String> nodes) {
        return PgStoreReader.read(store, nodes);
    }
}
