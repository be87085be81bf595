package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.messages.TmMessage;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

/** JTA's TransactionSynchronizationRegistry, for the transaction of the calling thread. */
public final class LockstepSynchronizationRegistry implements TransactionSynchronizationRegistry {

    private final LockstepTransactionManager tm;

    public LockstepSynchronizationRegistry(LockstepTransactionManager tm) {
        this.tm = tm;
    }

    /** The current transaction itself: unique, with identity equality, and null outside a transaction. */
    @Override
    public Object getTransactionKey() {
        return tm.getTransaction();
    }

    @Override
    public void putResource(Object key, Object value) {
        require("put a resource").putResource(key, value);
    }

    @Override
    public Object getResource(Object key) {
        return require("get a resource").getResource(key);
    }

    @Override
    public void registerInterposedSynchronization(Synchronization sync) {
        require("register an interposed synchronization").registerInterposedSynchronization(sync);
    }

    @Override
    public int getTransactionStatus() {
        LockstepTransaction tx = tm.getTransaction();
        return tx == null ? Status.STATUS_NO_TRANSACTION : tx.getStatus();
    }

    @Override
    public void setRollbackOnly() {
        require("mark rollback-only").setRollbackOnly();
    }

    @Override
    public boolean getRollbackOnly() {
        LockstepTransaction tx = require("ask for rollback-only");
        int status = tx.getStatus();
        return status == Status.STATUS_MARKED_ROLLBACK || status == Status.STATUS_ROLLING_BACK
                || status == Status.STATUS_ROLLEDBACK;
    }

    private LockstepTransaction require(String what) {
        LockstepTransaction tx = tm.getTransaction();
        if (tx == null) {
            throw new IllegalStateException(TmMessage.NO_TRANSACTION_FOR_REGISTRY + " cannot " + what
                    + ": no transaction is associated with this thread");
        }
        return tx;
    }
}
