package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.log.PendingDecision;
import java.io.IOException;
import java.util.List;

/**
 * A decision store opened for one incarnation of a node: the file log (locked directory) or the database store
 * (leased row). What {@code Lockstep} needs of either, so it does not care which one it runs on.
 */
public interface OpenedDecisionStore extends AutoCloseable {

    /** This start's incarnation number, carried in every XID it makes. */
    long incarnation();

    /** The node name this start's XIDs carry: the node id, or its short form in the database store. */
    String xidNodeName();

    /** Where the coordinator writes its decisions. */
    DecisionStore decisions();

    /** The open decisions the node's earlier incarnations left, found at open. */
    List<PendingDecision> pendingOfEarlier();

    /** Writes what is pending without waiting for durability (END records); called every second. */
    void flushLazily() throws IOException;

    /** Statements or forces that made decisions durable, and the records they carried (for metrics). */
    long durableWrites();

    long recordsWritten();

    /** Bytes written to storage for records, where the store knows them (the file log), else 0. */
    long bytesWritten();

    /**
     * Tells {@code whenLost} (once, with the reason) if the store learns that this incarnation can never record a
     * decision again (the database store's lease was taken over); the file log never does.
     */
    default void onLost(java.util.function.Consumer<String> whenLost) {
    }

    /**
     * Why this store can record no decision any more (a failed write or force poisoned the file log; the database
     * store's lease was lost), or null while it can; no secrets. Read by snapshots, never on the commit path.
     */
    default String problem() {
        return null;
    }

    /** Where the decisions are, for messages (no secrets). */
    String location();

    /** Writes what is pending, then gives the incarnation up (unlocks the log, or releases or deletes the lease). */
    @Override
    void close() throws IOException;
}
