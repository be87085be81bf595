package dev.lockstep.tm.internal.recovery;

import dev.lockstep.tm.internal.DaemonThreads;
import dev.lockstep.tm.internal.timeout.RetryBackoff;
import dev.lockstep.tm.internal.xa.LockstepXid;
import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.recovery.RecoveryAction.Kind;
import dev.lockstep.tm.spi.LockstepXids.GlobalId;
import dev.lockstep.tm.spi.RecoverableResource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * Step 1: asks every resource for its in-doubt branches, all at once (a scan costs the slowest answer, not the sum),
 * keeps ours (invariant 2) and backs off from a resource that fails, with capped, jittered exponential delays that
 * last across scans.
 */
final class ResourceAsker {

    private final List<RecoverableResource> resources;
    private final Duration retryInitial;
    private final Duration retryMax;
    private final Map<String, Backoff> backoff = new HashMap<>();

    ResourceAsker(List<RecoverableResource> resources, Duration retryInitial, Duration retryMax) {
        this.resources = List.copyOf(resources);
        this.retryInitial = retryInitial;
        this.retryMax = retryMax;
    }

    /** Capped, jittered exponential backoff of one unreachable resource. */
    private static final class Backoff {
        int failures;
        Instant nextAttempt = Instant.MIN;
        String lastError;
    }

    /** When an unreachable resource is tried next. */
    Instant nextAttempt(String resource) {
        return backoff.get(resource).nextAttempt;
    }

    /** Fills {@code pass.scans} and {@code pass.listed}; a resource backing off is skipped unless {@code ignore}. */
    void ask(Pass pass, boolean ignoreBackoff) {
        List<ResourceScan> asked = new ArrayList<>();
        for (RecoverableResource r : resources) {
            ResourceScan s = new ResourceScan(r);
            pass.scans.put(r.name(), s);
            Backoff b = backoff.computeIfAbsent(r.name(), n -> new Backoff());
            if (!ignoreBackoff && b.failures > 0 && pass.started.isBefore(b.nextAttempt)) {
                s.skipped = true;
                s.error = b.lastError;
            } else {
                asked.add(s);
            }
        }
        askInParallel(asked);
        for (ResourceScan s : asked) {
            Backoff b = backoff.get(s.name());
            if (s.failure != null) {
                s.error = Pass.describe(s.failure);
                b.failures++;
                b.lastError = s.error;
                b.nextAttempt = pass.engine.clock.instant().plusNanos(RetryBackoff.delayNanos(retryInitial.toNanos(),
                        retryMax.toNanos(), b.failures));
                Pass.closeQuietly(s);
                pass.action(Kind.RECOVER_SCAN, false, null, null, null, s.name(), "unreachable: " + s.error
                        + "; next try after " + b.nextAttempt);
                continue;
            }
            for (Xid x : s.answer) {
                GlobalId g = LockstepXid.parse(x);
                if (g == null || !pass.engine.nodeIds.contains(g.nodeId())) {
                    s.foreign++; // invariant 2: never touched
                    continue;
                }
                s.ours.add(x);
                Gtrid key = Gtrid.of(x.getGlobalTransactionId());
                pass.listed.computeIfAbsent(key, k -> new ListedTx(k, g)).branches.add(new ListedBranch(s, x));
            }
            s.reachable = true;
            b.failures = 0;
            b.lastError = null;
            pass.action(Kind.RECOVER_SCAN, true, null, null, null, s.name(), s.ours.size() + " branch(es) "
                    + "of ours in doubt, " + s.foreign + " of others left alone");
        }
    }

    private static void askInParallel(List<ResourceScan> asked) {
        List<Thread> threads = new ArrayList<>();
        for (ResourceScan s : asked) {
            Runnable ask = () -> {
                try {
                    s.connection = s.resource.connect();
                    Xid[] xids = s.connection.xaResource().recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
                    s.answer = xids == null ? List.of() : List.of(xids);
                } catch (Exception | LinkageError e) {
                    s.failure = e;
                }
            };
            if (asked.size() == 1) {
                ask.run();
            } else {
                Thread t = DaemonThreads.named("lockstep-recover-" + s.name()).newThread(ask);
                t.start();
                threads.add(t);
            }
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while asking the resources", e);
            }
        }
    }
}
