package dev.lockstep.tm.internal.recovery;

import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.ForgetRecord;
import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.log.ReplayResult;
import dev.lockstep.tm.recovery.InDoubtTransaction.Owner;
import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * Where recovery reads the transaction managers' decisions and writes its own records: the seam between the
 * algorithm and a decision store. {@link FileDecisionSource} is the file log of docs/log-format.md; a store in a
 * database implements the same calls (ownership is its lease instead of a file lock, invariant 4).
 *
 * <p>The store's promises: an incarnation is reported dead only when its owner can no longer decide (its lock was
 * free, or it was retired), and a log is handed over for writing only while this recovery holds it exclusively.
 */
public interface DecisionSource {

    /** Where the store is, for messages (the log directory). */
    String location();

    /** Where one node's decisions are, for messages (the node's directory). */
    String location(String nodeId);

    /** Every node with decisions or incarnations in the store, for a recovery of all nodes. */
    java.util.List<String> nodes() throws IOException;

    /**
     * Makes this recovery the only one working on {@code nodeId} until the returned lock is closed.
     *
     * @throws dev.lockstep.tm.recovery.RecoveryLockedException if another recovery holds it
     */
    RecoveryLock lockForRecovery(String nodeId) throws IOException;

    /** A node's recovery lock, held until closed. */
    interface RecoveryLock extends Closeable {

        /** What is locked, for messages (the lock file). */
        String name();
    }

    /** What the store holds of {@code nodeId} right now. */
    NodeDecisions node(String nodeId) throws IOException;

    /** The newest incarnation the node ever started, or null if the node has no log here. */
    Long lastIncarnation(String nodeId) throws IOException;

    /**
     * Takes over an incarnation's decisions for writing (and resurrects a retired one, so an operator's decision can
     * be recorded for it), or returns null if its owner is alive.
     */
    Taken takeOver(String nodeId, long incarnation) throws IOException;

    /** One node's decisions as listed by {@link #node}. */
    interface NodeDecisions {

        /** False if the node has no log here at all (most likely a wrong log directory). */
        boolean hasLog();

        /** The incarnations with something stored. */
        Set<Long> incarnations();

        /** What to tell an operator when the node has branches in doubt but {@link #hasLog()} is false. */
        String missingLogProblem();

        /**
         * Looks at one incarnation: takes it over if {@code takeOver} and its owner is dead, else reads it without
         * writing. Never throws: a failure is part of the answer.
         */
        Look look(long incarnation, boolean takeOver);
    }

    /**
     * What one incarnation holds.
     *
     * @param owner whether its owner is alive; NO_LOG if the store has no such incarnation
     * @param pending its open decisions (empty on failure)
     * @param taken the taken-over log when this look took it over, else null
     * @param repaired what the take-over repaired (a torn tail), in words, or ""
     * @param problem why the incarnation cannot be used when it is missing, else null
     * @param failure the read's failure ({@link dev.lockstep.tm.log.CorruptLogException} for corruption), or null
     * @param tornTail the torn tail a read-only replay ignored, or null (a take-over's is in {@link Taken})
     */
    record Look(Owner owner, Map<Gtrid, PendingDecision> pending, Taken taken, String repaired, String problem,
            IOException failure, ReplayResult.TornTail tornTail) {

        /** A look that found no torn tail (a store without one, such as a database). */
        public Look(Owner owner, Map<Gtrid, PendingDecision> pending, Taken taken, String repaired, String problem,
                IOException failure) {
            this(owner, pending, taken, repaired, problem, failure, null);
        }
    }

    /**
     * An incarnation taken over, and its open decisions as the take-over found them.
     *
     * @param tornTail the torn tail the take-over ignored and repaired, or null
     */
    record Taken(TakenOverLog log, Map<Gtrid, PendingDecision> pending, String repaired,
            ReplayResult.TornTail tornTail) {

        /** A take-over that repaired no torn tail. */
        public Taken(TakenOverLog log, Map<Gtrid, PendingDecision> pending, String repaired) {
            this(log, pending, repaired, null);
        }
    }

    /** The log of a dead incarnation while this recovery holds it: recovery's own writes. */
    interface TakenOverLog {

        void writeCommit(CommitRecord record) throws IOException;

        void writeHeuristic(HeuristicRecord record) throws IOException;

        void writeEnd(EndRecord record) throws IOException;

        void writeForget(ForgetRecord record) throws IOException;

        /** Deletes the incarnation; only when nothing in it is open. Releases it. */
        void retire() throws IOException;

        /**
         * Whether this recovery still holds it, checked at the start of each scan that uses it. A file log's lock is
         * held until released; a database store's lease lapses if not renewed and may then be taken by another
         * recovery, after which this one must drop it and look again.
         */
        default boolean stillHeld() {
            return true;
        }

        /** Releases it, leaving it as it is. */
        void close() throws IOException;
    }
}
