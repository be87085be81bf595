package dev.lockstep.bench.trial;

import org.HdrHistogram.Histogram;

/**
 * What one thread count of a trial measured. Counts, bytes, allocation and CPU time cover the measured window only;
 * {@code completedAll} and {@code failed} cover warm-up and window (for the validity checks). {@code cpuNanos} is the
 * process's CPU time less its JIT compiler threads', {@code jitNanos} theirs ({@link ProcessCounters#cpu}).
 */
public record Segment(int threads, long windowNanos, long completed, long completedAll, long failed,
                      String firstFailure, Histogram latency, Histogram commitLatency, long wchar, long writeBytes,
                      long allocatedBytes, long cpuNanos, long jitNanos) {

    public double throughput() {
        return completed * 1e9 / windowNanos;
    }

    /** Per completed transaction of the window, or -1 if not measured. */
    public double perTx(long total) {
        return total < 0 || completed == 0 ? -1 : (double) total / completed;
    }
}
