package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.snapshot.LockstepSnapshot.BranchProgress;
import dev.lockstep.tm.snapshot.LockstepSnapshot.InFlightBranch;
import dev.lockstep.tm.snapshot.LockstepSnapshot.InFlightTransaction;
import dev.lockstep.tm.events.TransactionEvent.TransactionTimedOut;
import dev.lockstep.tm.internal.xa.LockstepXid;
import dev.lockstep.tm.internal.xa.XaCodes;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.spi.EnlistsByName;
import dev.lockstep.tm.spi.LockstepXids.GlobalId;
import dev.lockstep.tm.spi.NamedXAResource;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import java.util.ArrayList;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;

/**
 * A Lockstep transaction: its state, branches, synchronizations and registry resources. It is deliberately thin:
 * enlistment is done by its {@link BranchEnlister}, completion by {@link Completion}, which runs phase one through the
 * {@link Preparer} and phase two through the {@link Committer} or the {@link Rollbacker}.
 *
 * <p>Every state change happens under the transaction's monitor; XA calls are made outside it, so a resource that
 * blocks (a busy JDBC connection) never blocks a status query or the timeout reaper's scan.
 */
public final class LockstepTransaction implements Transaction, EnlistsByName {

    final Coordinator coordinator;
    final byte[] gtrid;
    /** The sequence number in the gtrid; unique within the incarnation. */
    final long sequence;
    final long beginMillis;
    final long deadlineMillis;
    /** The same deadline on the coordinator's monotonic clock: a wall clock set back cannot extend it. */
    private final long deadlineNanos;
    final int timeoutSeconds;

    private TxState state = TxState.ACTIVE;
    /** Set once completion (commit, rollback or the reaper) has started; a second one is refused. */
    private boolean completing;
    /** True once the beforeCompletion callbacks ran: no synchronization may be registered after. */
    private boolean synchronizationsClosed;
    private boolean timedOut;
    private RuntimeException rollbackOnlyCause;

    /** The branches, in the order they were enlisted; guarded by this monitor until completion claims them. */
    final List<Branch> branches = new ArrayList<>(4);
    final BranchEnlister enlister = new BranchEnlister(this);
    // Empty lists allocate their array on the first add: most transactions of a plain UserTransaction have none.
    final List<Synchronization> synchronizations = new ArrayList<>();
    final List<Synchronization> interposed = new ArrayList<>();
    private Map<Object, Object> registryResources;

    LockstepTransaction(Coordinator coordinator, byte[] gtrid, long sequence, long beginMillis, int timeoutSeconds) {
        this.coordinator = coordinator;
        this.gtrid = gtrid;
        this.sequence = sequence;
        this.beginMillis = beginMillis;
        this.timeoutSeconds = timeoutSeconds;
        this.deadlineMillis = beginMillis + timeoutSeconds * 1000L;
        this.deadlineNanos = coordinator.nanoTime.getAsLong() + timeoutSeconds * 1_000_000_000L;
    }

    /** When it began, on the coordinator's monotonic clock. */
    long beginNanos() {
        return deadlineNanos - timeoutSeconds * 1_000_000_000L;
    }

    /** The global transaction id (shared by all branches; do not modify). */
    public byte[] gtrid() {
        return gtrid;
    }

    public long deadlineMillis() {
        return deadlineMillis;
    }

    public synchronized TxState state() {
        return state;
    }

    synchronized boolean timedOut() {
        return timedOut;
    }

    synchronized void moveTo(TxState target) {
        state = state.checkMove(target, this);
    }

    /**
     * Leaves the running states for {@code target} (the first step of a commit) unless the transaction was marked
     * rollback-only meanwhile, atomically: a mark accepted by {@link #setRollbackOnly} from another thread, a
     * {@code delistResource(TMFAIL)} or an {@code XA_RB*} from a {@code start} is either seen here (false: the caller
     * rolls back) or comes too late and is refused. Checking first and moving later would let a mark slip in between
     * and strand the transaction in MARKED_ROLLBACK with no branch finished.
     */
    synchronized boolean leaveActive(TxState target) {
        if (state == TxState.MARKED_ROLLBACK) {
            return false;
        }
        state = state.checkMove(target, this);
        return true;
    }

    /**
     * True once the deadline passed on either clock (invariant 5): the monotonic one, so a wall clock set back cannot
     * let a COMMIT be written after recovery presumed abort; the wall one, which recovery judges the deadline by.
     */
    boolean pastDeadline(long nowMillis, long nowNanos) {
        return nowMillis > deadlineMillis || nowNanos - deadlineNanos > 0;
    }

    /** True once the timeout passed on the monotonic clock: for completions that write no decision (one phase). */
    boolean pastTimeout() {
        return coordinator.nanoTime.getAsLong() - deadlineNanos > 0;
    }

    /** Claims completion for the caller; false if it was already claimed (by another thread or the reaper). */
    synchronized boolean claimCompletion() {
        if (completing) {
            return false;
        }
        completing = true;
        return true;
    }

    synchronized void closeSynchronizations() {
        synchronizationsClosed = true;
    }

    synchronized RuntimeException rollbackOnlyCause() {
        return rollbackOnlyCause;
    }

    // ------------------------------------------------------------------ completion

    @Override
    public void commit() throws RollbackException, HeuristicMixedException, HeuristicRollbackException,
            SystemException {
        try {
            coordinator.completion.commit(this);
        } finally {
            coordinator.transactionManager().forget(this);
        }
    }

    @Override
    public void rollback() throws SystemException {
        try {
            coordinator.completion.rollback(this);
        } finally {
            coordinator.transactionManager().forget(this);
        }
    }

    /**
     * Called by the timeout reaper once the deadline passed: rolls the transaction back unless completion already
     * started. Returns true if it did.
     */
    public boolean timeOut() {
        if (!claimTimeout()) {
            return false;
        }
        rollbackAfterTimeout();
        return true;
    }

    /** Marks this transaction timed out unless its completion started; true if it did (it may no longer commit). */
    boolean claimTimeout() {
        synchronized (this) {
            if (completing || state.isTerminal()) {
                return false;
            }
            completing = true;
            timedOut = true;
            synchronizationsClosed = true;
        }
        coordinator.metrics.timedOut.increment();
        if (coordinator.events != null) {
            coordinator.events.publish(new TransactionTimedOut(sequence, timeoutSeconds));
        }
        return true;
    }

    /** The rollback of a transaction {@link #claimTimeout() claimed} by the reaper. */
    void rollbackAfterTimeout() {
        coordinator.completion.rollbackAfterTimeout(this);
    }

    // ------------------------------------------------------------------ status and rollback-only

    @Override
    public synchronized int getStatus() {
        return state.jtaStatus();
    }

    @Override
    public void setRollbackOnly() {
        synchronized (this) {
            switch (state) {
                case ACTIVE -> {
                    state = state.checkMove(TxState.MARKED_ROLLBACK, this);
                    rollbackOnlyCause = new IllegalStateException("setRollbackOnly() was called here");
                }
                // Rolled back, or rolling back; HEURISTIC_COMMIT is a rollback some branch did not follow.
                case MARKED_ROLLBACK, ROLLING_BACK, ROLLED_BACK, HEURISTIC_COMMIT -> { }
                default -> throw new IllegalStateException(TmMessage.TOO_LATE_FOR_ROLLBACK_ONLY + " transaction "
                        + this + " is " + state + ": it is too late to mark it rollback-only");
            }
        }
    }

    // ------------------------------------------------------------------ synchronizations

    @Override
    public void registerSynchronization(Synchronization sync) throws RollbackException {
        register(sync, synchronizations);
    }

    /** TransactionSynchronizationRegistry.registerInterposedSynchronization. */
    public void registerInterposedSynchronization(Synchronization sync) {
        try {
            register(sync, interposed);
        } catch (RollbackException e) {
            // The registry's method cannot throw RollbackException; JTA says IllegalStateException here.
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private synchronized void register(Synchronization sync, List<Synchronization> list) throws RollbackException {
        if (sync == null) {
            throw new NullPointerException("synchronization");
        }
        if (state == TxState.MARKED_ROLLBACK) {
            throw new RollbackException(TmMessage.SYNCHRONIZATION_ON_ROLLBACK_ONLY + " transaction " + this
                    + " is marked rollback-only: a synchronization would never see a commit");
        }
        if (state != TxState.ACTIVE || synchronizationsClosed) {
            throw new IllegalStateException(TmMessage.SYNCHRONIZATION_TOO_LATE + " transaction " + this + " is " + state
                    + (synchronizationsClosed ? " and its beforeCompletion callbacks have run" : "")
                    + ": synchronizations can only be registered while it is active");
        }
        list.add(sync);
    }

    /** Returns the synchronization at {@code index} of {@code list}, or null past its end (the list may grow). */
    synchronized Synchronization synchronizationAt(List<Synchronization> list, int index) {
        return index < list.size() ? list.get(index) : null;
    }

    // ------------------------------------------------------------------ registry resources

    public synchronized void putResource(Object key, Object value) {
        if (key == null) {
            throw new NullPointerException("key");
        }
        if (state.isTerminal()) {
            throw new IllegalStateException(TmMessage.RESOURCE_PUT_TOO_LATE + " transaction " + this + " is " + state
                    + ": resources can only be put while it is running");
        }
        if (registryResources == null) {
            registryResources = new HashMap<>(4);
        }
        registryResources.put(key, value);
    }

    public synchronized Object getResource(Object key) {
        if (key == null) {
            throw new NullPointerException("key");
        }
        return registryResources == null ? null : registryResources.get(key);
    }

    // ------------------------------------------------------------------ enlistment

    @Override
    public boolean enlistResource(XAResource resource) throws RollbackException, SystemException {
        if (resource == null) {
            throw new NullPointerException("resource");
        }
        return enlistResource(resource, BranchEnlister.nameOf(resource),
                resource instanceof NamedXAResource named && named.joinsOnSameRM());
    }

    /**
     * Enlists {@code resource} under the stable resource {@code name}, joining a branch of the same RM only if
     * {@code joinable}. Pools use this to enlist the raw XAResource of a connection (delistResource then finds it by
     * identity) while the COMMIT record still carries the pool's name.
     */
    public boolean enlistResource(XAResource resource, String name, boolean joinable)
            throws RollbackException, SystemException {
        return enlistResource(resource, name, joinable, null);
    }

    /**
     * As {@link #enlistResource(XAResource, String, boolean)}, and registers {@code afterCompletion} as an interposed
     * synchronization in the same step as the branch joins: it is registered if and only if this returns true, even
     * when another thread marked the transaction rollback-only or began its completion meanwhile. A pool needs exactly
     * that, to get its connection back after completion: registered separately, a completion beginning in between
     * would refuse the registration while the branch is already part of the transaction. {@code null} registers none.
     */
    public boolean enlistResource(XAResource resource, String name, boolean joinable, Synchronization afterCompletion)
            throws RollbackException, SystemException {
        return enlister.enlist(resource, name, joinable, afterCompletion);
    }

    @Override
    public boolean delistResource(XAResource resource, int flag) throws SystemException {
        return enlister.delist(resource, flag);
    }

    /** Refuses an enlistment unless the transaction runs and its completion has not closed it; monitor held. */
    void checkCanEnlist() throws RollbackException {
        if (state == TxState.MARKED_ROLLBACK) {
            RollbackException e = new RollbackException(TmMessage.ENLIST_ROLLBACK_ONLY + " transaction " + this
                    + " is marked rollback-only: no resource can join it");
            if (rollbackOnlyCause != null) {
                e.initCause(rollbackOnlyCause);
            }
            throw e;
        }
        if (state != TxState.ACTIVE || (completing && synchronizationsClosed)) {
            throw new IllegalStateException(TmMessage.ENLIST_NOT_RUNNING + " transaction " + this + " is "
                    + (timedOut ? "rolled back: it passed its timeout of " + timeoutSeconds + " s"
                    : completing ? state + " and completing" : state.toString())
                    + ": resources can only be enlisted while it is active and not completing");
        }
    }

    /** Refuses a delisting once the transaction left the running states; monitor held. */
    void checkCanDelist() {
        if (state != TxState.ACTIVE && state != TxState.MARKED_ROLLBACK) {
            throw new IllegalStateException(TmMessage.DELIST_NOT_ACTIVE + " transaction " + this + " is " + state
                    + ": resources can only be delisted while it is active");
        }
    }

    /** Marks the transaction rollback-only if it still runs; {@code cause} is kept for the RollbackException. */
    synchronized void markRollbackOnly(Throwable cause) {
        if (state == TxState.ACTIVE) {
            state = state.checkMove(TxState.MARKED_ROLLBACK, this);
            rollbackOnlyCause = cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
        }
    }

    /**
     * This transaction as a snapshot shows it: its state and branches copied together under the monitor (which no XA
     * call holds). A branch's answers are written by the phase threads without the monitor; read here they may lag a
     * call behind, never tear (each is one reference).
     */
    InFlightTransaction view() {
        TxState s;
        Branch[] bs;
        synchronized (this) {
            s = state;
            bs = branches.toArray(new Branch[0]);
        }
        List<InFlightBranch> views = new ArrayList<>(bs.length);
        for (Branch b : bs) {
            views.add(new InFlightBranch(b.xid.branchNumber(), b.resourceName, progressOf(b)));
        }
        return new InFlightTransaction(toString(), HexFormat.of().formatHex(gtrid), s.name(),
                Instant.ofEpochMilli(beginMillis), Instant.ofEpochMilli(deadlineMillis), views);
    }

    private static BranchProgress progressOf(Branch b) {
        XaCodes.PhaseTwoOutcome two = b.phaseTwo;
        if (two != null) {
            return switch (two) {
                // NOT_FOUND: the resource no longer knows the branch; the Committer judges whether that means done or
                // lost (then a heuristic, which the snapshot's heuristics list).
                case DONE, NOT_FOUND -> BranchProgress.FINISHED;
                case RETRY -> BranchProgress.RETRYING;
                default -> BranchProgress.HEURISTIC;
            };
        }
        XaCodes.PrepareOutcome vote = b.vote;
        if (vote == null) {
            return BranchProgress.ENLISTED;
        }
        return switch (vote) {
            case PREPARED -> BranchProgress.PREPARED;
            case READ_ONLY -> BranchProgress.READ_ONLY;
            case ROLLED_BACK, FAILED -> BranchProgress.PREPARE_REFUSED;
        };
    }

    static String describe(Throwable t) {
        if (t instanceof XAException xa) {
            return XaCodes.name(xa.errorCode) + (xa.getMessage() == null ? "" : " " + xa.getMessage());
        }
        return String.valueOf(t);
    }

    /** {@code node:incarnation:sequence}, derived from the gtrid when a message needs it, not at every begin. */
    @Override
    public String toString() {
        GlobalId parsed = LockstepXid.parseGtrid(gtrid);
        return parsed == null ? "?" : parsed.toString();
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
