package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.messages.TmMessage;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;

/**
 * JTA's TransactionManager: the association of transactions with threads. A thread has at most one transaction
 * (nested {@code begin} is refused); {@code suspend} and {@code resume} move a transaction between threads.
 */
public final class LockstepTransactionManager implements TransactionManager {

    private final Coordinator c;
    private final ThreadLocal<LockstepTransaction> current = new ThreadLocal<>();
    /** Per-thread timeout in seconds; 0 (the initial value) means the default. */
    private final ThreadLocal<int[]> timeout = ThreadLocal.withInitial(() -> new int[1]);

    LockstepTransactionManager(Coordinator c) {
        this.c = c;
    }

    @Override
    public void begin() throws NotSupportedException, SystemException {
        LockstepTransaction existing = current.get();
        if (existing != null && existing.state().isTerminal() && !existing.timedOut()) {
            // Completed through Transaction.commit()/rollback() on another thread: nothing is left to finish here.
            current.remove();
            existing = null;
        }
        if (existing != null) {
            throw new NotSupportedException(TmMessage.NESTED_BEGIN
                    + " this thread is already associated with transaction " + existing
                    + " (" + existing.state() + (existing.timedOut() ? ", rolled back by its timeout" : "")
                    + "); nested transactions are not supported: commit, roll back or suspend it first");
        }
        int seconds = timeout.get()[0];
        current.set(c.begin(seconds == 0 ? c.defaultTimeoutSeconds() : seconds));
    }

    @Override
    public void commit() throws RollbackException, HeuristicMixedException, HeuristicRollbackException,
            SecurityException, IllegalStateException, SystemException {
        requireCurrent("commit").commit();
    }

    @Override
    public void rollback() throws IllegalStateException, SecurityException, SystemException {
        requireCurrent("roll back").rollback();
    }

    @Override
    public void setRollbackOnly() throws IllegalStateException, SystemException {
        requireCurrent("mark rollback-only").setRollbackOnly();
    }

    @Override
    public int getStatus() {
        LockstepTransaction tx = current.get();
        return tx == null ? Status.STATUS_NO_TRANSACTION : tx.getStatus();
    }

    @Override
    public LockstepTransaction getTransaction() {
        return current.get();
    }

    @Override
    public void setTransactionTimeout(int seconds) throws SystemException {
        if (seconds < 0) {
            throw new SystemException(TmMessage.TIMEOUT_NEGATIVE
                    + " transaction timeout must be >= 0 seconds (0 restores the default of "
                    + c.defaultTimeoutSeconds() + " s), got " + seconds);
        }
        timeout.get()[0] = seconds;
    }

    @Override
    public LockstepTransaction suspend() {
        LockstepTransaction tx = current.get();
        current.set(null);
        return tx;
    }

    @Override
    public void resume(Transaction tx) throws InvalidTransactionException, IllegalStateException, SystemException {
        if (!(tx instanceof LockstepTransaction ltx) || ltx.coordinator != c) {
            throw new InvalidTransactionException(TmMessage.RESUME_FOREIGN + " cannot resume " + tx
                    + ": it is not a transaction of this Lockstep instance");
        }
        if (ltx.state().isTerminal()) {
            throw new InvalidTransactionException(TmMessage.RESUME_ENDED + " cannot resume transaction " + ltx
                    + ": it is already " + ltx.state());
        }
        LockstepTransaction existing = current.get();
        if (existing != null) {
            throw new IllegalStateException(TmMessage.RESUME_THREAD_BUSY + " cannot resume transaction " + ltx
                    + ": this thread is already associated with transaction " + existing + "; suspend it first");
        }
        current.set(ltx);
    }

    /** Clears this thread's association if it is with {@code tx} (called when tx completes). */
    void forget(LockstepTransaction tx) {
        if (current.get() == tx) {
            current.set(null); // not remove(): the thread's map entry is reused by its next begin()
        }
    }

    private LockstepTransaction requireCurrent(String what) {
        LockstepTransaction tx = current.get();
        if (tx == null) {
            throw new IllegalStateException(TmMessage.NO_TRANSACTION + " cannot " + what
                    + ": no transaction is associated with this thread (call begin() first)");
        }
        return tx;
    }
}
