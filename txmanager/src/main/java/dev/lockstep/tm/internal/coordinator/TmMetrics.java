package dev.lockstep.tm.internal.coordinator;

import java.util.concurrent.atomic.LongAdder;

/** The coordinator's counters; LongAdders because every committing thread touches them. */
public final class TmMetrics {
    public final LongAdder begun = new LongAdder();
    public final LongAdder committed = new LongAdder();
    public final LongAdder committedOnePhase = new LongAdder();
    public final LongAdder committedReadOnly = new LongAdder();
    public final LongAdder rolledBack = new LongAdder();
    public final LongAdder timedOut = new LongAdder();
    public final LongAdder heuristic = new LongAdder();
    /** Transactions whose COMMIT record may or may not be durable: their branches were left to recovery. */
    public final LongAdder unknownOutcome = new LongAdder();
    public final LongAdder phaseTwoRetries = new LongAdder();
}
