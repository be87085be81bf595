package dev.lockstep.bench.trial;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Runs an {@link Operation} on N threads in a closed loop: a warm-up, then a measured window of fixed duration. Each
 * worker records the latency of every transaction that ends inside the window into its own histogram (merged at
 * the end); the process's bytes written, heap allocated and CPU time used are read at the window's two edges.
 */
public final class LoadRunner {

    private static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);

    private enum Phase { WARMUP, MEASURE, STOP }

    private LoadRunner() {
    }

    public static Segment run(Operation op, int threads, Duration warmup, Duration window)
            throws InterruptedException {
        AtomicReference<Phase> phase = new AtomicReference<>(Phase.WARMUP);
        LongAdder completedAll = new LongAdder();
        LongAdder failed = new LongAdder();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        List<Histogram> latencies = new ArrayList<>();
        List<Histogram> commitLatencies = new ArrayList<>();
        long[] windowCounts = new long[threads];
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
            Histogram commit = new Histogram(MAX_LATENCY_NANOS, 3);
            latencies.add(latency);
            commitLatencies.add(commit);
            Thread worker = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long inWindow = 0;
                while (true) {
                    Phase before = phase.get();
                    if (before == Phase.STOP) {
                        break;
                    }
                    long start = System.nanoTime();
                    long commitNanos;
                    try {
                        commitNanos = op.run(thread);
                    } catch (Exception | Error e) {
                        failed.increment();
                        firstFailure.compareAndSet(null, e.toString());
                        continue;
                    }
                    long end = System.nanoTime();
                    completedAll.increment();
                    if (before == Phase.MEASURE && phase.get() == Phase.MEASURE) {
                        latency.recordValue(Math.min(end - start, MAX_LATENCY_NANOS));
                        if (commitNanos >= 0) {
                            commit.recordValue(Math.min(commitNanos, MAX_LATENCY_NANOS));
                        }
                        inWindow++;
                    }
                }
                windowCounts[thread] = inWindow;
            }, "bench-worker-" + t);
            workers.add(worker);
            worker.start();
        }
        ready.await();
        go.countDown();
        Thread.sleep(warmup.toMillis());
        long allocBefore = ProcessCounters.allocated();
        long[] ioBefore = ProcessCounters.io();
        ProcessCounters.CpuSample cpuBefore = ProcessCounters.cpu();
        long windowStart = System.nanoTime();
        phase.set(Phase.MEASURE);
        Thread.sleep(window.toMillis());
        phase.set(Phase.STOP);
        long windowNanos = System.nanoTime() - windowStart;
        long[] cpu = ProcessCounters.cpu().since(cpuBefore);
        long[] ioAfter = ProcessCounters.io();
        long allocAfter = ProcessCounters.allocated();
        for (Thread worker : workers) {
            worker.join();
        }
        long completed = 0;
        for (long c : windowCounts) {
            completed += c;
        }
        Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
        latencies.forEach(latency::add);
        Histogram commit = new Histogram(MAX_LATENCY_NANOS, 3);
        commitLatencies.forEach(commit::add);
        return new Segment(threads, windowNanos, completed, completedAll.sum(), failed.sum(), firstFailure.get(),
                latency, commit, delta(ioBefore[0], ioAfter[0]), delta(ioBefore[1], ioAfter[1]),
                allocAfter - allocBefore, cpu[0], cpu[1]);
    }

    private static long delta(long before, long after) {
        return before < 0 || after < 0 ? -1 : after - before;
    }
}
