package dev.lockstep.bench.real;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * How one transaction on a worker's own {@link RawConnections} is coordinated: by a transaction manager that enlists
 * the raw XAResources ({@link TmOnly}), or by hand with no TM and no log ({@link ByHand}, the floors).
 */
interface RawCoordinator extends AutoCloseable {

    /** Gets ready for the connections of every worker (index = worker), before the first transaction. */
    void adopt(RawConnections[] workers) throws Exception;

    /**
     * One whole transaction of worker {@code thread} on {@code c}: the work (its time added to {@code work}), then the
     * commit; returns the nanoseconds of the commit alone.
     */
    long transaction(int thread, RawConnections c, LongAdder[] work) throws Exception;

    /** The settings in force, for the report. */
    Map<String, String> configuration();

    @Override
    void close() throws Exception;
}
