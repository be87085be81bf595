package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.internal.coordinator.DecisionStore;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.messages.TmMessage;
import java.io.IOException;
import java.lang.System.Logger.Level;

/** The coordinator's decisions, written to the decision log. */
public final class LogDecisionStore implements DecisionStore {

    private static final System.Logger LOG = System.getLogger("dev.lockstep.tm.LogDecisionStore");

    private final DecisionLog log;

    public LogDecisionStore(DecisionLog log) {
        this.log = log;
    }

    @Override
    public void recordCommit(CommitRecord record) throws IOException {
        log.writeCommit(record);
    }

    @Override
    public void recordEnd(byte[] gtrid) {
        try {
            log.writeEnd(new EndRecord(gtrid));
        } catch (IOException | RuntimeException e) {
            // A missing END costs recovery one look at a finished transaction (commit answers NOTA, recover() does
            // not list it); it never changes an outcome. The log's failure is reported by the next forced write.
            LOG.log(Level.WARNING, TmMessage.END_NOT_WRITTEN + " END record not written: " + e.getMessage());
        }
    }

    @Override
    public void recordHeuristic(HeuristicRecord record) throws IOException {
        log.writeHeuristic(record);
    }

    /** A failed write or force poisons the log for good (DecisionLog, "Failure"). */
    @Override
    public String afterUnknownCommit() {
        return "The log accepts no more decisions: check the disk, then restart the process.";
    }
}
