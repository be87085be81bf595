package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.events.TransactionEvent.HeuristicReported;
import dev.lockstep.tm.internal.xa.XaCodes.PhaseTwoOutcome;
import dev.lockstep.tm.log.HeuristicOutcome;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.messages.TmMessage;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import javax.transaction.xa.XAException;

/**
 * What the {@link Committer} and the {@link Rollbacker} do with a branch whose resource decided on its own: record it
 * in the log, tell the resource to forget it, and describe it to the caller. Invariant 7 (docs/design.md): a resource
 * is told to {@code forget} a heuristic only once its HEURISTIC record is durable, because a heuristic that is in
 * neither place is lost; not forgotten, the resource keeps listing the branch in {@code recover()}, where recovery
 * finds and records it.
 */
final class Heuristics {

    // Completion's logger, where these lines were written before the phases had classes of their own: logging set-ups
    // that name it keep seeing them.
    private static final System.Logger LOG = System.getLogger("dev.lockstep.tm.Completion");

    private Heuristics() {
    }

    /** Records a heuristic outcome of {@code b} in the log; true once it is durable, so it may be forgotten. */
    static boolean record(Coordinator c, LockstepTransaction tx, Branch b, HeuristicOutcome kind) {
        LOG.log(Level.ERROR, TmMessage.HEURISTIC + " heuristic {0} on {1} of transaction {2}: {3}", kind, b, tx,
                LockstepTransaction.describe(b.lastError));
        boolean recorded;
        try {
            c.store.recordHeuristic(new HeuristicRecord(tx.gtrid, b.xid.getBranchQualifier(), b.resourceName, kind,
                    c.clock.millis()));
            recorded = true;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, TmMessage.HEURISTIC_NOT_RECORDED + " could not record heuristic " + kind + " of " + b
                    + " of transaction " + tx
                    + " in the log; the resource is not told to forget it, so recovery finds it there: " + e);
            recorded = false;
        }
        c.heuristicsSeen.add(tx.toString(), tx.gtrid, b.xid.branchNumber(), b.resourceName, kind, c.clock.millis(),
                recorded);
        if (c.events != null) {
            c.events.publish(new HeuristicReported(tx.sequence, b.resourceName, b.xid.branchNumber(), kind, recorded));
        }
        return recorded;
    }

    /** Tells the resource to forget its heuristic decision about {@code b}; a failure only leaves it a note. */
    static void forget(LockstepTransaction tx, Branch b) {
        try {
            b.resource.forget(b.xid);
        } catch (XAException | RuntimeException e) {
            LOG.log(Level.DEBUG, "forget of {0} of {1} failed: {2}", b, tx, LockstepTransaction.describe(e));
        }
    }

    /** The heuristic branches as a caller's message reads them. */
    static String describe(List<Branch> heuristics) {
        StringBuilder sb = new StringBuilder();
        for (Branch b : heuristics) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(b).append(b.phaseTwo == PhaseTwoOutcome.NOT_FOUND
                    ? " lost its prepared work (XAER_NOTA at commit: the resource no longer knew the branch)"
                    : " decided on its own: " + LockstepTransaction.describe(b.lastError));
        }
        return sb.append(" (recorded in the decision log until an operator resolves it)").toString();
    }
}
