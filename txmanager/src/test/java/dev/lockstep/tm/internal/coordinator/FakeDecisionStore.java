package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.HeuristicRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A decision store in memory that records its writes in {@link Events} and can fail the COMMIT write. */
final class FakeDecisionStore implements DecisionStore {
    private final Events events;
    final List<CommitRecord> commits = new ArrayList<>();
    final List<byte[]> ends = new ArrayList<>();
    final List<HeuristicRecord> heuristics = new ArrayList<>();
    volatile boolean failCommit;

    FakeDecisionStore(Events events) {
        this.events = events;
    }

    @Override
    public synchronized void recordCommit(CommitRecord record) throws IOException {
        if (failCommit) {
            events.add("log COMMIT failed");
            throw new IOException("injected: force failed");
        }
        commits.add(record);
        events.add("log COMMIT forced");
    }

    @Override
    public synchronized void recordEnd(byte[] gtrid) {
        ends.add(gtrid);
        events.add("log END");
    }

    @Override
    public synchronized void recordHeuristic(HeuristicRecord record) {
        heuristics.add(record);
        events.add("log HEURISTIC " + record.outcome());
    }
}
