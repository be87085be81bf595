package dev.lockstep.bench.trial;

/** One transaction of a trial, run by a worker thread in a loop. */
@FunctionalInterface
public interface Operation {

    /**
     * Runs one transaction on worker {@code thread} (0-based) and returns the nanoseconds its commit call took, or
     * -1 if only the whole transaction is timed.
     */
    long run(int thread) throws Exception;
}
