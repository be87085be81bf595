package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.events.TransactionEvent.BranchCall;
import dev.lockstep.tm.events.TransactionEvent.BranchResult;
import dev.lockstep.tm.events.TransactionEvent.BranchRetried;
import dev.lockstep.tm.events.TransactionEvent.HeuristicReported;
import dev.lockstep.tm.internal.DaemonThreads;
import dev.lockstep.tm.internal.timeout.RetryBackoff;
import dev.lockstep.tm.internal.xa.XaCalls;
import dev.lockstep.tm.internal.xa.XaCodes;
import dev.lockstep.tm.internal.xa.XaCodes.PhaseTwoOutcome;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.spi.RecoverableResource;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import dev.lockstep.tm.snapshot.LockstepSnapshot.RetryingBranch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * Finishes, in the background, the branches that phase two could not reach: commit after a durable decision, or
 * rollback. Retries back off exponentially with jitter (half to all of {@code initial * 2^(n-1)}, capped), so the
 * first retry comes within about a second and a dead resource costs one call per {@code max} delay.
 *
 * <p>Invariant 6: {@code XAER_NOTA} on a retry means "perhaps already committed" (a first attempt may have committed
 * before the connection broke); the branch counts as finished only once a {@code recover()} scan of its resource no
 * longer lists it, because MariaDB answers NOTA for a branch still held by another session. The END record is
 * written when every branch of a committed decision finished without a heuristic.
 *
 * <p>When a resource of the branch's name is registered, each retry uses a fresh connection from it (the
 * original one may be broken or back in its pool); otherwise the original XAResource is used.
 */
public final class BranchRetrier implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.lockstep.tm.BranchRetrier");

    private final Coordinator c;
    private final long initialNanos;
    private final long maxNanos;
    private final ScheduledThreadPoolExecutor scheduler;
    private final AtomicInteger pending = new AtomicInteger();
    /** The branches being retried, for snapshots; touched only on this slow path, never by a commit that succeeds. */
    private final Set<Retrying> retrying = ConcurrentHashMap.newKeySet();

    BranchRetrier(Coordinator c, Duration initialDelay, Duration maxDelay) {
        this.c = c;
        this.initialNanos = Math.max(1, initialDelay.toNanos());
        this.maxNanos = Math.max(initialNanos, maxDelay.toNanos());
        this.scheduler = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("lockstep-phase-two-retry"));
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Branches not yet finished, across all transactions. */
    public int pendingBranches() {
        return pending.get();
    }

    /** The branches being retried, oldest first: what each waits for, since when, and its last error. */
    public List<RetryingBranch> retrying() {
        List<RetryingBranch> result = new ArrayList<>();
        for (Retrying r : retrying) {
            Throwable last = r.branch.lastError;
            result.add(new RetryingBranch(r.d.id, HexFormat.of().formatHex(r.d.gtrid), r.branch.xid.branchNumber(),
                    r.branch.resourceName, r.d.committing ? BranchCall.COMMIT : BranchCall.ROLLBACK, r.attempts,
                    Instant.ofEpochMilli(r.sinceMillis), last == null ? null : LockstepTransaction.describe(last)));
        }
        result.sort(Comparator.comparing(RetryingBranch::since).thenComparing(RetryingBranch::transaction)
                .thenComparingInt(RetryingBranch::branch));
        return result;
    }

    /** Retries {@code branches} of transaction {@code id} until each reaches the decided outcome. */
    void schedule(String id, long txId, byte[] gtrid, List<Branch> branches, boolean committing,
            boolean heuristicSeen) {
        RetriedTransaction d = new RetriedTransaction(id, txId, gtrid, committing, branches.size(), heuristicSeen);
        long now = c.clock.millis();
        for (Branch b : branches) {
            pending.incrementAndGet();
            Retrying r = new Retrying(d, b, now);
            retrying.add(r);
            LOG.log(Level.WARNING, TmMessage.RETRYING_IN_BACKGROUND
                    + " {0} of transaction {1} could not be {2} now ({3}); retrying in the "
                    + "background", b, id, committing ? "committed" : "rolled back",
                    LockstepTransaction.describe(b.lastError));
            scheduleAttempt(r, 1);
        }
    }

    long delayNanos(int attempt) {
        return RetryBackoff.delayNanos(initialNanos, maxNanos, attempt);
    }

    private void scheduleAttempt(Retrying r, int attempt) {
        if (scheduler.isShutdown()) {
            return; // closing: the decision stays in the log without END, and recovery finishes it
        }
        try {
            scheduler.schedule(() -> attempt(r, attempt), delayNanos(attempt), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shut down between the check and the call: same as above
        }
    }

    private void attempt(Retrying r, int attempt) {
        RetriedTransaction d = r.d;
        Branch b = r.branch;
        c.metrics.phaseTwoRetries.increment();
        long t0 = c.events == null ? 0 : c.nanoTime.getAsLong();
        PhaseTwoOutcome outcome;
        RecoverableResource registered = c.registry.get(b.resourceName);
        if (registered == null) {
            outcome = finishOn(b, b.resource, d.committing);
        } else {
            try (RecoverableResource.RecoveryConnection conn = registered.connect()) {
                outcome = finishOn(b, conn.xaResource(), d.committing);
            } catch (Exception e) {
                b.failed(e);
                outcome = PhaseTwoOutcome.RETRY;
            }
        }
        r.attempts = attempt;
        if (c.events != null) {
            c.events.publish(new BranchRetried(d.txId, b.resourceName, b.xid.branchNumber(),
                    d.committing ? BranchCall.COMMIT : BranchCall.ROLLBACK, attempt,
                    CoordinatorEvents.resultOf(outcome), c.nanoTime.getAsLong() - t0));
        }
        switch (outcome) {
            case DONE -> {
                LOG.log(Level.INFO, TmMessage.RETRY_DONE + " {0} of transaction {1} {2} on retry {3}", b, d.id,
                        d.committing ? "committed" : "rolled back", attempt);
                finished(r, false);
            }
            case RETRY -> scheduleAttempt(r, attempt + 1);
            default -> {
                var kind = XaCodes.heuristicOf(outcome, d.committing);
                LOG.log(Level.ERROR, TmMessage.HEURISTIC_ON_RETRY
                        + " heuristic {0} on {1} of transaction {2} on retry {3}: {4}", kind, b,
                        d.id, attempt, LockstepTransaction.describe(b.lastError));
                boolean recorded = false;
                try {
                    c.store.recordHeuristic(new HeuristicRecord(d.gtrid, b.xid.getBranchQualifier(),
                            b.resourceName, kind, c.clock.millis()));
                    recorded = true;
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.ERROR, TmMessage.HEURISTIC_NOT_RECORDED + " could not record heuristic " + kind
                            + " of " + b + " of transaction " + d.id + " in the log", e);
                }
                c.heuristicsSeen.add(d.id, d.gtrid, b.xid.branchNumber(), b.resourceName, kind, c.clock.millis(),
                        recorded);
                if (c.events != null) {
                    c.events.publish(new HeuristicReported(d.txId, b.resourceName, b.xid.branchNumber(), kind,
                            recorded));
                }
                c.metrics.heuristic.increment();
                finished(r, true);
            }
        }
    }

    /** One retry; NOTA on commit becomes DONE only if {@code recover()} no longer lists the branch. */
    private PhaseTwoOutcome finishOn(Branch b, XAResource resource, boolean committing) {
        PhaseTwoOutcome outcome = XaCalls.phaseTwo(resource, b.xid, committing, b);
        if (outcome != PhaseTwoOutcome.NOT_FOUND) {
            return outcome;
        }
        try {
            return listedInRecover(resource, b.xid) ? PhaseTwoOutcome.RETRY : PhaseTwoOutcome.DONE;
        } catch (XAException | RuntimeException e) {
            b.failed(e);
            return PhaseTwoOutcome.RETRY;
        }
    }

    static boolean listedInRecover(XAResource resource, dev.lockstep.tm.internal.xa.LockstepXid xid)
            throws XAException {
        Xid[] listed = resource.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
        if (listed != null) {
            for (Xid x : listed) {
                if (xid.sameAs(x)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void finished(Retrying r, boolean heuristic) {
        RetriedTransaction d = r.d;
        retrying.remove(r);
        pending.decrementAndGet();
        if (heuristic) {
            d.heuristicSeen = true;
        }
        if (d.remaining.decrementAndGet() == 0 && d.committing && !d.heuristicSeen) {
            c.store.recordEnd(d.gtrid);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** One branch being retried: identity-keyed in the set, as each is added once and removed once. */
    private static final class Retrying {
        final RetriedTransaction d;
        final Branch branch;
        final long sinceMillis;
        /** Retries made; written by the retrier's one thread, read by snapshots. */
        volatile int attempts;

        Retrying(RetriedTransaction d, Branch branch, long sinceMillis) {
            this.d = d;
            this.branch = branch;
            this.sinceMillis = sinceMillis;
        }
    }

    /** The branches of one decision still being retried. */
    private static final class RetriedTransaction {
        final String id;
        final long txId;
        final byte[] gtrid;
        final boolean committing;
        final AtomicInteger remaining;
        volatile boolean heuristicSeen;

        RetriedTransaction(String id, long txId, byte[] gtrid, boolean committing, int branches,
                boolean heuristicSeen) {
            this.id = id;
            this.txId = txId;
            this.gtrid = gtrid;
            this.committing = committing;
            this.remaining = new AtomicInteger(branches);
            this.heuristicSeen = heuristicSeen;
        }
    }
}
