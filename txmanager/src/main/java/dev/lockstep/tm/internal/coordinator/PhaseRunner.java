package dev.lockstep.tm.internal.coordinator;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs one phase call on every branch of a transaction, in parallel when there are several, so that a three-branch
 * commit costs about the slowest branch rather than the sum. The calling thread always takes the first branch
 * itself (no hand-off for the common cases), and when no pool thread is free the caller runs the branch too, so the
 * pool never queues and never deadlocks.
 */
final class PhaseRunner implements AutoCloseable {

    private final ThreadPoolExecutor executor;

    /** {@code threads} = 0 runs every call on the caller's thread, one after another. */
    PhaseRunner(int threads) {
        if (threads <= 0) {
            executor = null;
            return;
        }
        AtomicInteger count = new AtomicInteger();
        executor = new ThreadPoolExecutor(0, threads, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "lockstep-phase-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, (task, pool) -> task.run());
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
        Future<?>[] others = new Future<?>[n - 1];
        for (int i = 1; i < n; i++) {
            Branch b = branches.get(i);
            others[i - 1] = executor.submit(() -> call.accept(b));
        }
        call.accept(branches.get(0));
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
                    throw new IllegalStateException("LKS-102 a phase call threw although it must not", e.getCause());
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdown();
        }
    }
}
