package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.internal.coordinator.DecisionStore;
import dev.lockstep.tm.internal.coordinator.OpenedDecisionStore;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.messages.TmMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The file log opened for one incarnation, as {@code Lockstep} uses a decision store. */
public final class OpenedFileLog implements OpenedDecisionStore {

    private final String nodeId;
    private final DecisionLog log;
    private final DecisionStore decisions;
    private final List<PendingDecision> pending;
    private final String location;

    public OpenedFileLog(OpenedLog opened, String nodeId, String location) {
        this.nodeId = nodeId;
        this.log = opened.log();
        this.decisions = new LogDecisionStore(log);
        List<PendingDecision> p = new ArrayList<>();
        for (DeadIncarnation dead : opened.inDoubt()) {
            p.addAll(dead.replay().pending().values());
        }
        this.pending = List.copyOf(p);
        this.location = location;
    }

    public DecisionLog log() {
        return log;
    }

    @Override
    public long incarnation() {
        return log.incarnation();
    }

    @Override
    public String xidNodeName() {
        return nodeId;
    }

    @Override
    public DecisionStore decisions() {
        return decisions;
    }

    @Override
    public List<PendingDecision> pendingOfEarlier() {
        return pending;
    }

    @Override
    public void flushLazily() throws IOException {
        log.flush(false);
    }

    @Override
    public long durableWrites() {
        return log.stats().forces();
    }

    @Override
    public long recordsWritten() {
        return log.stats().records();
    }

    @Override
    public long bytesWritten() {
        return log.stats().bytesWritten();
    }

    @Override
    public String problem() {
        LogFailedException failure = log.failure();
        return failure == null ? null : TmMessage.LOG_FAILED + " " + failure.getMessage();
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public void close() throws IOException {
        log.close();
    }
}
