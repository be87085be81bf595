package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.testkit.Events;
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
    /** The COMMIT write fails as a store that refused it before writing anything. */
    volatile boolean failCommit;
    /** The COMMIT write fails after bytes may have reached storage: its outcome is unknown. */
    volatile boolean failCommitUnknown;
    volatile boolean failHeuristic;
    /** Called before every COMMIT write, on the committing thread; for races and pauses. */
    volatile Runnable beforeCommitWrite = () -> { };

    FakeDecisionStore(Events events) {
        this.events = events;
    }

    @Override
    public void recordCommit(CommitRecord record) throws IOException {
        beforeCommitWrite.run();
        synchronized (this) {
            recordCommitLocked(record);
        }
    }

    private void recordCommitLocked(CommitRecord record) throws IOException {
        if (failCommit) {
            events.add("log COMMIT refused");
            throw new DecisionNotRecordedException("injected: the log had failed before", null);
        }
        if (failCommitUnknown) {
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
    public synchronized void recordHeuristic(HeuristicRecord record) throws IOException {
        if (failHeuristic) {
            events.add("log HEURISTIC failed");
            throw new IOException("injected: heuristic not written");
        }
        heuristics.add(record);
        events.add("log HEURISTIC " + record.outcome());
    }
}
