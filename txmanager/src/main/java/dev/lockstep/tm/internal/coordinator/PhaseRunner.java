package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.internal.DaemonThreads;
import dev.lockstep.tm.messages.TmMessage;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Runs one phase call on every branch of a transaction, in parallel when that pays, so that a three-branch commit
 * costs about the slowest branch rather than the sum. The calling thread always takes the first branch itself (no
 * hand-off for the common cases), and when no pool thread is free the caller runs the branch too, so the pool never
 * queues and never deadlocks.
 *
 * <p>Handing a call to another thread costs a wake-up, tens of microseconds on a busy machine, and CPU that the
 * committing threads compete for. A database's prepare or commit (an fsync on its side, a network round trip) costs
 * far more, so its branches run in parallel; a resource that answers in microseconds (an in-memory or read-only
 * resource, a broker that has nothing to flush) would only lose. So the runner learns the cost of each resource's
 * calls, by name (a moving average of the calls it timed), and hands off only when the branches after the first are
 * expected to take at least {@link #HAND_OFF_NANOS} together. A resource it has not timed yet counts as slow.
 *
 * <p>Parallelism also adapts to load. A hand-off buys latency only while the thread that takes the branch would
 * otherwise have nothing to do: once as many transactions are in a phase at the same time as the machine has cores,
 * every core already has a committer to run between its round trips, and a phase thread would only take CPU from
 * them (two context switches per branch) without finishing any transaction sooner. So a transaction's branches are
 * handed off only while fewer than {@code busyFrom} transactions (the number of cores by default) are in a phase,
 * this one included; otherwise the committer makes the calls itself, one after another, exactly as an application
 * would by hand. At one committer the phases stay parallel and a three-branch commit costs about its slowest branch;
 * under load every transaction costs what it costs without a transaction manager.
 */
final class PhaseRunner implements AutoCloseable {

    /** Expected time of the calls after the first from which handing them to other threads pays. */
    static final long HAND_OFF_NANOS = 100_000;
    private static final long UNKNOWN = -1;
    private static final int SAMPLE_EVERY = 16;

    private final ThreadPoolExecutor executor;
    private final ConcurrentHashMap<String, CallCost> costs = new ConcurrentHashMap<>();
    /** Transactions whose slow branches are in a phase call now, on any thread; read only on the slow path. */
    private final AtomicInteger inPhase = new AtomicInteger();
    private final int busyFrom;
    private final LongAdder handedOff = new LongAdder();
    private final LongAdder keptForLoad = new LongAdder();

    /** A moving average of one resource's phase-call time; updated without locks (a lost update is harmless). */
    private static final class CallCost {
        volatile long averageNanos = UNKNOWN;

        void add(long nanos) {
            long a = averageNanos;
            averageNanos = a == UNKNOWN ? nanos : a + (nanos - a) / 8;
        }
    }

    /** {@code threads} = 0 runs every call on the caller's thread, one after another. */
    PhaseRunner(int threads) {
        this(threads, Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param busyFrom from how many transactions in a phase at once (this one included) the committer keeps its
     *     branches to itself; at least 2, so that a lone committer always runs its slow branches in parallel
     */
    PhaseRunner(int threads, int busyFrom) {
        this.busyFrom = Math.max(2, busyFrom);
        if (threads <= 0) {
            executor = null;
            return;
        }
        executor = new ThreadPoolExecutor(0, threads, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                DaemonThreads.numbered("lockstep-phase-"), (task, pool) -> task.run());
    }

    boolean parallel() {
        return executor != null;
    }

    /** Applies {@code call} to every branch and returns when all calls returned; {@code call} must not throw. */
    void forEach(List<Branch> branches, Consumer<Branch> call) {
        int n = branches.size();
        if (executor == null || n == 1) {
            for (int i = 0; i < n; i++) {
                call.accept(branches.get(i));
            }
            return;
        }
        long othersNanos = 0;
        for (int i = 1; i < n; i++) {
            long a = cost(branches.get(i)).averageNanos;
            othersNanos += a == UNKNOWN ? HAND_OFF_NANOS : a;
        }
        if (othersNanos < HAND_OFF_NANOS) {
            inTurn(branches, call);
            return;
        }
        try {
            if (inPhase.incrementAndGet() >= busyFrom) {
                keptForLoad.increment();
                inTurn(branches, call);
            } else {
                inParallel(branches, call);
            }
        } finally {
            inPhase.decrementAndGet();
        }
    }

    /** Every call on the caller's thread, one after another, timed as {@link #timed} does. */
    private void inTurn(List<Branch> branches, Consumer<Branch> call) {
        for (int i = 0; i < branches.size(); i++) {
            timed(branches.get(i), call);
        }
    }

    private void inParallel(List<Branch> branches, Consumer<Branch> call) {
        int n = branches.size();
        handedOff.increment();
        Future<?>[] others = new Future<?>[n - 1];
        for (int i = 1; i < n; i++) {
            Branch b = branches.get(i);
            others[i - 1] = executor.submit(() -> timed(b, call));
        }
        timed(branches.get(0), call);
        boolean interrupted = false;
        for (Future<?> f : others) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    // A phase call in flight cannot be abandoned: its outcome decides what happens next.
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw new IllegalStateException(TmMessage.PHASE_CALL_THREW
                            + " a phase call threw although it must not", e.getCause());
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs the call, timing one call in {@link #SAMPLE_EVERY} (and every call of a resource not timed yet): the
     * average is shared by all committing threads, and writing it on every call would make them fight over its cache
     * line.
     */
    private void timed(Branch b, Consumer<Branch> call) {
        CallCost cost = cost(b);
        if (cost.averageNanos != UNKNOWN && ThreadLocalRandom.current().nextInt(SAMPLE_EVERY) != 0) {
            call.accept(b);
            return;
        }
        long t0 = System.nanoTime();
        call.accept(b);
        cost.add(System.nanoTime() - t0);
    }

    private CallCost cost(Branch b) {
        CallCost c = costs.get(b.resourceName);
        return c != null ? c : costs.computeIfAbsent(b.resourceName, k -> new CallCost());
    }

    /** How many phases ran their slow branches in parallel, and how many kept them on the committer for load. */
    long[] decisions() {
        return new long[] {handedOff.sum(), keptForLoad.sum()};
    }

    /** The learned average call time of {@code resourceName}, or -1 if none was timed yet; for tests. */
    long averageNanos(String resourceName) {
        CallCost c = costs.get(resourceName);
        return c == null ? UNKNOWN : c.averageNanos;
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdown();
        }
    }
}
