package dev.lockstep.bench.real;

import dev.lockstep.bench.micro.BenchXid;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The floors: the XA calls by hand on the worker's own connections, no TM, no log. Start each branch, the work, end
 * each; then prepare the three and commit the three, either one after the other on the worker thread, or
 * ({@code parallel}) each phase on three threads at once: the worker and two helper threads of its own, to show what
 * parallel phases could buy.
 */
final class ByHand implements RawCoordinator {

    private final boolean parallel;
    private ExecutorService[] helpers = new ExecutorService[0];

    ByHand(boolean parallel) {
        this.parallel = parallel;
    }

    @Override
    public void adopt(RawConnections[] workers) {
        if (parallel) {
            helpers = new ExecutorService[workers.length];
            for (int i = 0; i < workers.length; i++) {
                int worker = i;
                helpers[i] = Executors.newFixedThreadPool(2, r -> {
                    Thread t = new Thread(r, "bench-helper-" + worker);
                    t.setDaemon(true);
                    return t;
                });
            }
        }
    }

    @Override
    public long transaction(int thread, RawConnections c, LongAdder[] work) throws Exception {
        Xid[] xids = BenchXid.branches(3);
        for (int i = 0; i < 3; i++) {
            c.resource(i).start(xids[i], XAResource.TMNOFLAGS);
        }
        c.work(work);
        for (int i = 0; i < 3; i++) {
            c.resource(i).end(xids[i], XAResource.TMSUCCESS);
        }
        long start = System.nanoTime();
        phase(thread, i -> {
            if (c.resource(i).prepare(xids[i]) != XAResource.XA_OK) {
                throw new IllegalStateException(RawConnections.BRANCHES[i] + " voted read-only on a write");
            }
        });
        phase(thread, i -> c.resource(i).commit(xids[i], false));
        return System.nanoTime() - start;
    }

    /** One call on each of the three branches: in sequence, or branches 1 and 2 on the helpers while 0 runs here. */
    private void phase(int thread, BranchCall call) throws Exception {
        if (!parallel) {
            for (int i = 0; i < 3; i++) {
                call.run(i);
            }
            return;
        }
        Future<?> second = helpers[thread].submit(() -> {
            call.run(1);
            return null;
        });
        Future<?> third = helpers[thread].submit(() -> {
            call.run(2);
            return null;
        });
        Exception failure = null;
        try {
            call.run(0);
        } catch (Exception e) {
            failure = e;
        }
        // Both helpers are waited for even after a failure: the next transaction must not meet their calls.
        for (Future<?> helper : List.of(second, third)) {
            try {
                helper.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @FunctionalInterface
    private interface BranchCall {
        void run(int branch) throws Exception;
    }

    /** One branch alone by hand (the "branches" measurement): start, its work, end; returns prepare + commit nanos. */
    static long branch(RawConnections c, int branch) throws Exception {
        XAResource r = c.resource(branch);
        Xid xid = BenchXid.branches(1)[0];
        r.start(xid, XAResource.TMNOFLAGS);
        c.work(branch);
        r.end(xid, XAResource.TMSUCCESS);
        long start = System.nanoTime();
        if (r.prepare(xid) != XAResource.XA_OK) {
            throw new IllegalStateException(RawConnections.BRANCHES[branch] + " voted read-only on a write");
        }
        r.commit(xid, false);
        return System.nanoTime() - start;
    }

    @Override
    public Map<String, String> configuration() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("what", "start each branch, the work, end each; then prepare the three, then commit the three"
                + (parallel ? ", each phase on three threads at once (the worker and two helper threads of its own, "
                + "a fixed pool of 2 per worker)" : ", one after the other on the worker thread"));
        c.put("log", "none (no TM)");
        return c;
    }

    @Override
    public void close() {
        for (ExecutorService e : helpers) {
            e.shutdownNow();
        }
    }
}
