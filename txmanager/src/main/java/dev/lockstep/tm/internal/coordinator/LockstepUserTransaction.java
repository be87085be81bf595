package dev.lockstep.tm.internal.coordinator;

import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import jakarta.transaction.UserTransaction;

/** JTA's UserTransaction: the application's view of the transaction manager. */
public final class LockstepUserTransaction implements UserTransaction {

    private final LockstepTransactionManager tm;

    public LockstepUserTransaction(LockstepTransactionManager tm) {
        this.tm = tm;
    }

    @Override
    public void begin() throws NotSupportedException, SystemException {
        tm.begin();
    }

    @Override
    public void commit() throws RollbackException, HeuristicMixedException, HeuristicRollbackException,
            SecurityException, IllegalStateException, SystemException {
        tm.commit();
    }

    @Override
    public void rollback() throws IllegalStateException, SecurityException, SystemException {
        tm.rollback();
    }

    @Override
    public void setRollbackOnly() throws IllegalStateException, SystemException {
        tm.setRollbackOnly();
    }

    @Override
    public int getStatus() {
        return tm.getStatus();
    }

    @Override
    public void setTransactionTimeout(int seconds) throws SystemException {
        tm.setTransactionTimeout(seconds);
    }
}
