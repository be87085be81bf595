package dev.lockstep.bench.micro;

import java.util.concurrent.atomic.LongAdder;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * An in-memory resource manager that votes OK (or read-only) and counts every XA call made on it, so a trial can
 * prove that the transaction manager under test really prepared and committed every branch it should (a TM that
 * silently went one-phase, or rolled back, fails the trial). Thread-safe; one instance is shared by all worker
 * threads, as one resource manager is shared by the transactions of an application.
 */
public final class CountingXAResource implements XAResource {

    private final String name;
    private final int vote;
    final LongAdder starts = new LongAdder();
    final LongAdder ends = new LongAdder();
    final LongAdder prepares = new LongAdder();
    final LongAdder twoPhaseCommits = new LongAdder();
    final LongAdder onePhaseCommits = new LongAdder();
    final LongAdder rollbacks = new LongAdder();
    final LongAdder forgets = new LongAdder();
    private int timeout;

    public CountingXAResource(String name, boolean readOnly) {
        this.name = name;
        this.vote = readOnly ? XA_RDONLY : XA_OK;
    }

    public String name() {
        return name;
    }

    /** The counters now. */
    public Counts counts() {
        return new Counts(starts.sum(), ends.sum(), prepares.sum(), twoPhaseCommits.sum(), onePhaseCommits.sum(),
                rollbacks.sum(), forgets.sum());
    }

    /** A snapshot of the XA calls made on one resource. */
    public record Counts(long starts, long ends, long prepares, long twoPhaseCommits, long onePhaseCommits,
                         long rollbacks, long forgets) {
        public Counts minus(Counts o) {
            return new Counts(starts - o.starts, ends - o.ends, prepares - o.prepares,
                    twoPhaseCommits - o.twoPhaseCommits, onePhaseCommits - o.onePhaseCommits,
                    rollbacks - o.rollbacks, forgets - o.forgets);
        }

        @Override
        public String toString() {
            return "start=" + starts + " end=" + ends + " prepare=" + prepares + " commit(2pc)=" + twoPhaseCommits
                    + " commit(1pc)=" + onePhaseCommits + " rollback=" + rollbacks + " forget=" + forgets;
        }
    }

    @Override
    public void start(Xid xid, int flags) {
        starts.increment();
    }

    @Override
    public void end(Xid xid, int flags) {
        ends.increment();
    }

    @Override
    public int prepare(Xid xid) {
        prepares.increment();
        return vote;
    }

    @Override
    public void commit(Xid xid, boolean onePhase) {
        (onePhase ? onePhaseCommits : twoPhaseCommits).increment();
    }

    @Override
    public void rollback(Xid xid) {
        rollbacks.increment();
    }

    @Override
    public void forget(Xid xid) {
        forgets.increment();
    }

    @Override
    public Xid[] recover(int flag) {
        return new Xid[0];
    }

    /** Only the very same instance: two resources of a workload are two resource managers (no TMJOIN). */
    @Override
    public boolean isSameRM(XAResource other) {
        return other == this;
    }

    @Override
    public synchronized int getTransactionTimeout() {
        return timeout;
    }

    @Override
    public synchronized boolean setTransactionTimeout(int seconds) throws XAException {
        timeout = seconds;
        return true;
    }

    @Override
    public String toString() {
        return "CountingXAResource[" + name + "]";
    }
}
