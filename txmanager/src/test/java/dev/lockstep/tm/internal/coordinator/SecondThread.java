package dev.lockstep.tm.internal.coordinator;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * A JTA call made by a second thread at an exact moment of another thread's work: {@link #runBesides} starts it and
 * returns once it has finished, or once it is blocked (waiting for the first thread, which is paused meanwhile), so the
 * interleaving is the same at every run. {@link #join} collects what it returned or threw.
 */
final class SecondThread {

    private final Thread thread;
    private volatile Object result;
    private volatile Throwable failure;

    private SecondThread(String name, Callable<?> call) {
        thread = new Thread(() -> {
            try {
                result = call.call();
            } catch (Throwable t) {
                failure = t;
            }
        }, name);
        thread.setDaemon(true);
    }

    /** Starts {@code call} on a new thread; returns when it has finished or is blocked (parked, waiting, in a lock). */
    static SecondThread runBesides(String name, Callable<?> call) {
        SecondThread t = new SecondThread(name, call);
        t.thread.start();
        t.awaitFinishedOrBlocked();
        return t;
    }

    private void awaitFinishedOrBlocked() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int blockedSeen = 0;
        while (System.nanoTime() < deadline) {
            Thread.State s = thread.getState();
            if (s == Thread.State.TERMINATED) {
                return;
            }
            // Seen blocked several times in a row: it waits for the paused thread, not for a lock handed over briefly.
            blockedSeen = s == Thread.State.WAITING || s == Thread.State.BLOCKED || s == Thread.State.TIMED_WAITING
                    ? blockedSeen + 1 : 0;
            if (blockedSeen >= 20) {
                return;
            }
            Thread.onSpinWait();
            if (blockedSeen > 0) {
                try {
                    Thread.sleep(0, 100_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new AssertionError("the second thread neither finished nor blocked within 10 s: "
                + java.util.Arrays.toString(thread.getStackTrace()));
    }

    /** Waits for the call to finish (at most 10 s) and returns this. */
    SecondThread join() {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new AssertionError("the second thread is still running after 10 s: "
                    + java.util.Arrays.toString(thread.getStackTrace()));
        }
        return this;
    }

    Object result() {
        return result;
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public String toString() {
        return failure != null ? "threw " + failure : "returned " + result;
    }
}
