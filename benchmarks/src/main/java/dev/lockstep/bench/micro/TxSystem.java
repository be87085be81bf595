package dev.lockstep.bench.micro;

import java.util.LinkedHashMap;
import java.util.Map;
import javax.transaction.xa.XAResource;

/**
 * One system under test of the in-memory workloads: a transaction manager, the XA calls done by hand, or a ceiling.
 * One instance lives in one trial JVM and is used by all its worker threads at once.
 */
public interface TxSystem extends AutoCloseable {

    /** How this system sees the workload's resources (Lockstep names them; the others take them as they are). */
    default XAResource[] adopt(CountingXAResource[] resources) {
        return resources.clone();
    }

    /** Runs one whole transaction over {@code resources}: begin, enlist each, commit. Throws if it did not commit. */
    void transaction(XAResource[] resources) throws Exception;

    /** The settings in force (written into the report, so a reader can reproduce and judge the configuration). */
    Map<String, String> configuration();

    /** Whether {@link #transaction} calls XA on the resources; the ceilings do not (they only write the log). */
    default boolean drivesResources() {
        return true;
    }

    /**
     * For systems that do not drive the resources: why {@code completed} transactions are not backed by what the
     * system did (e.g. fewer forced records, from {@code counterDeltas}, the change of {@link #counters()} over the
     * same transactions), or null if they are.
     */
    default String selfCheck(long completed, Map<String, Long> counterDeltas) {
        return null;
    }

    /** System-specific counters for the report (e.g. Lockstep's log forces and bytes), cumulative. */
    default Map<String, Long> counters() {
        return new LinkedHashMap<>();
    }

    @Override
    void close() throws Exception;
}
