package dev.lockstep.jms;

import dev.lockstep.tm.spi.Enlistment;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.util.Objects;
import javax.transaction.xa.XAResource;

/**
 * The TransactionManager handed to pooled-jms: Lockstep's, except that the XAResources pooled-jms enlists (one per
 * session, {@code session.getXAResource()}) are recorded under this factory's stable resource name, which the
 * COMMIT record stores and recovery maps back to the broker (docs/design.md invariant 3). pooled-jms only begins to use
 * it through {@code getStatus}, {@code getTransaction().registerSynchronization} and {@code enlistResource}.
 */
final class NamingTransactionManager implements TransactionManager {

    private final TransactionManager tm;
    private final String resourceName;

    NamingTransactionManager(TransactionManager tm, String resourceName) {
        this.tm = Objects.requireNonNull(tm, "transactionManager");
        this.resourceName = resourceName;
    }

    @Override
    public Transaction getTransaction() throws SystemException {
        Transaction tx = tm.getTransaction();
        return tx == null ? null : new NamingTransaction(tx);
    }

    @Override
    public int getStatus() throws SystemException {
        return tm.getStatus();
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
    public void setTransactionTimeout(int seconds) throws SystemException {
        tm.setTransactionTimeout(seconds);
    }

    @Override
    public Transaction suspend() throws SystemException {
        return tm.suspend();
    }

    @Override
    public void resume(Transaction tx) throws InvalidTransactionException, IllegalStateException, SystemException {
        tm.resume(tx instanceof NamingTransaction n ? n.tx : tx);
    }

    /** A view of one transaction; equal to any other view of the same transaction. */
    private final class NamingTransaction implements Transaction {
        private final Transaction tx;

        NamingTransaction(Transaction tx) {
            this.tx = tx;
        }

        @Override
        public boolean enlistResource(XAResource xaRes) throws RollbackException, IllegalStateException,
                SystemException {
            // One branch per session: Artemis could join sessions of one broker, but a branch per session keeps
            // each session's work independent of the others' lifecycles in the pool.
            return Enlistment.enlist(tx, xaRes, resourceName, false);
        }

        @Override
        public boolean delistResource(XAResource xaRes, int flag) throws IllegalStateException, SystemException {
            return tx.delistResource(xaRes, flag);
        }

        @Override
        public void registerSynchronization(Synchronization sync) throws RollbackException, IllegalStateException,
                SystemException {
            tx.registerSynchronization(sync);
        }

        @Override
        public void commit() throws RollbackException, HeuristicMixedException, HeuristicRollbackException,
                SecurityException, IllegalStateException, SystemException {
            tx.commit();
        }

        @Override
        public void rollback() throws IllegalStateException, SystemException {
            tx.rollback();
        }

        @Override
        public void setRollbackOnly() throws IllegalStateException, SystemException {
            tx.setRollbackOnly();
        }

        @Override
        public int getStatus() throws SystemException {
            return tx.getStatus();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NamingTransaction n ? n.tx.equals(tx) : tx.equals(o);
        }

        @Override
        public int hashCode() {
            return tx.hashCode();
        }

        @Override
        public String toString() {
            return tx.toString();
        }
    }
}
