package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.events.TransactionEvent.CompletionCause;
import dev.lockstep.tm.events.TransactionEvent.TransactionBegun;
import dev.lockstep.tm.internal.DaemonThreads;
import dev.lockstep.tm.internal.events.EventDispatcher;
import dev.lockstep.tm.internal.xa.XidFactory;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.spi.CrashPoint;
import java.time.Clock;
import dev.lockstep.tm.snapshot.LockstepSnapshot.InFlightTransaction;
import dev.lockstep.tm.snapshot.LockstepSnapshot.RecordedHeuristic;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What every transaction of one Lockstep instance shares: settings, the decision store, XIDs, the clock, the phase
 * executor, the background retrier, counters, and the set of live transactions (for the reaper and for draining).
 * Everything is passed in through the constructor so that tests can drive it.
 */
public final class Coordinator implements AutoCloseable {

    final CoordinatorSettings settings;
    final DecisionStore store;
    final XidFactory xids;
    final Clock clock;
    /** Monotonic nanoseconds for deadlines (invariant 5): a wall clock stepped back must not extend a transaction. */
    final LongSupplier nanoTime;
    final TmMetrics metrics = new TmMetrics();
    /** The heuristic outcomes reported, for snapshots; touched only when a resource decides on its own. */
    final HeuristicsSeen heuristicsSeen = new HeuristicsSeen();
    /** Where events go; null when no listener is registered, and then every event site is skipped. */
    final EventDispatcher events;
    final ResourceRegistry registry;
    final PhaseRunner phases;
    final BranchRetrier retrier;
    /** The protocol's parts; they keep nothing of a transaction, so one of each serves every transaction. */
    final Completion completion = new Completion(this);
    final Committer committer = new Committer(this);
    final Rollbacker rollbacker = new Rollbacker(this);
    private final CrashPoint.Hook crashHook;
    private final LiveTransactions live = new LiveTransactions();
    private final LockstepTransactionManager transactionManager;
    /** Why no transaction may begin (closed, or the decision store's lease was lost), or null. */
    private volatile String refusal;
    /**
     * Where the reaper's rollbacks run. Not on the reaper's own thread: a driver may block end(TMFAIL) or rollback
     * while the owning thread is inside a statement on the same connection, and the reaper must go on to the other
     * expired transactions (and the housekeeper to its log flushes) meanwhile.
     */
    private final ThreadPoolExecutor timeoutRollbacks;

    public Coordinator(CoordinatorSettings settings, DecisionStore store, XidFactory xids, Clock clock,
                       LongSupplier nanoTime, ResourceRegistry registry, int phaseThreads, CrashPoint.Hook crashHook) {
        this(settings, store, xids, clock, nanoTime, registry, phaseThreads, crashHook, null);
    }

    /** As above, publishing events to {@code events} (null: no listener). */
    public Coordinator(CoordinatorSettings settings, DecisionStore store, XidFactory xids, Clock clock,
                       LongSupplier nanoTime, ResourceRegistry registry, int phaseThreads, CrashPoint.Hook crashHook,
                       EventDispatcher events) {
        this.events = events;
        this.settings = settings;
        this.store = store;
        this.xids = xids;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.registry = registry;
        this.crashHook = crashHook == null ? CrashPoint.Hook.NONE : crashHook;
        this.phases = new PhaseRunner(settings.parallelPhases() ? phaseThreads : 0);
        this.retrier = new BranchRetrier(this, settings.retryInitialDelay(), settings.retryMaxDelay());
        this.transactionManager = new LockstepTransactionManager(this);
        this.timeoutRollbacks = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), DaemonThreads.numbered("lockstep-timeout-"));
    }

    public LockstepTransactionManager transactionManager() {
        return transactionManager;
    }

    public TmMetrics metrics() {
        return metrics;
    }

    public BranchRetrier retrier() {
        return retrier;
    }

    public ResourceRegistry registry() {
        return registry;
    }

    /** Begins a transaction with the given timeout (seconds, > 0). */
    LockstepTransaction begin(int timeoutSeconds) {
        String refused = refusal;
        if (refused != null) {
            throw new IllegalStateException(refused);
        }
        long now = clock.millis();
        long sequence = xids.nextSequence();
        LockstepTransaction tx = new LockstepTransaction(this, xids.newGtrid(now, timeoutSeconds, sequence), sequence,
                now, timeoutSeconds);
        live.add(tx);
        metrics.begun.increment();
        if (events != null) {
            events.publish(new TransactionBegun(sequence, tx.toString(), HexFormat.of().formatHex(tx.gtrid),
                    timeoutSeconds));
        }
        return tx;
    }

    int defaultTimeoutSeconds() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, settings.defaultTimeout().toSeconds()));
    }

    /**
     * {@code tx} completed, after its afterCompletion callbacks; {@code cause} and {@code startedNanos} (from {@link
     * CoordinatorEvents#completionStarted}) are for its event, and ignored without a listener.
     */
    void completed(LockstepTransaction tx, CompletionCause cause, long startedNanos) {
        live.remove(tx);
        if (events != null) {
            CoordinatorEvents.completed(this, tx, cause, startedNanos);
        }
    }

    /**
     * Claims every live transaction whose deadline passed and whose completion has not started, and rolls each back
     * on a thread of its own; returns how many it claimed. A claimed transaction can no longer commit.
     */
    public int timeOutExpired() {
        return timeOutExpired(timeoutRollbacks);
    }

    /** As {@link #timeOutExpired()}, running the rollbacks on {@code rollbacks} (tests pass a direct executor). */
    int timeOutExpired(Executor rollbacks) {
        long nowMillis = clock.millis();
        long nowNanos = nanoTime.getAsLong();
        int n = 0;
        for (LockstepTransaction tx : live.snapshot()) {
            if (tx.pastDeadline(nowMillis, nowNanos) && tx.claimTimeout()) {
                n++;
                try {
                    rollbacks.execute(tx::rollbackAfterTimeout);
                } catch (RejectedExecutionException e) {
                    tx.rollbackAfterTimeout(); // closing: roll back here rather than leave it claimed
                }
            }
        }
        return n;
    }

    /** The transactions begun and not yet completed. */
    public List<LockstepTransaction> liveTransactions() {
        return live.snapshot();
    }

    /**
     * The transactions begun and not yet completed, each with its state and branches read together, oldest first. For
     * snapshots: it walks the live set (no lock) and takes each transaction's monitor only to copy it.
     */
    public List<InFlightTransaction> inFlight() {
        List<InFlightTransaction> result = new ArrayList<>();
        for (LockstepTransaction tx : live.snapshot()) {
            result.add(tx.view());
        }
        result.sort(Comparator.comparing(InFlightTransaction::begin).thenComparing(InFlightTransaction::id));
        return result;
    }

    /** The latest heuristic outcomes reported, oldest first (for snapshots). */
    public List<RecordedHeuristic> heuristicsReported() {
        return heuristicsSeen.latest();
    }

    /** How many heuristic outcomes were reported since the start. */
    public long heuristicsReportedTotal() {
        return heuristicsSeen.total();
    }

    /** Why {@code begin()} fails now (closed, or the decision store's lease was lost), or null. */
    public String refusal() {
        return refusal;
    }

    boolean crashHookSet() {
        return crashHook != CrashPoint.Hook.NONE;
    }

    void crash(CrashPoint point) {
        crashHook.reached(point);
    }

    /** Refuses new transactions from now on. */
    public void stopAccepting() {
        refusal = TmMessage.CLOSED + " this Lockstep instance is closed: no transaction can begin";
    }

    /**
     * From now on {@code begin()} fails with {@code reason}: the decision store can no longer record a decision of
     * this incarnation (its lease was taken over), so a new transaction could only prepare branches to roll back.
     */
    public void refuseNewTransactions(String reason) {
        if (refusal == null) {
            refusal = reason;
        }
    }

    @Override
    public void close() {
        stopAccepting();
        retrier.close();
        phases.close();
        timeoutRollbacks.shutdown();
    }
}
