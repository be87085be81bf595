package dev.lockstep.jdbc;

import dev.lockstep.jdbc.vendor.XaVendor;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.spi.Enlistment;
import dev.lockstep.tm.spi.NamedXAResource;
import dev.lockstep.tm.spi.RecoverableResource;
import io.agroal.api.transaction.TransactionAware;
import io.agroal.api.transaction.TransactionIntegration;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.transaction.xa.XAResource;

/**
 * Agroal's seam to Lockstep: enlists pooled connections in the current transaction and gives them back to the pool
 * only when the transaction has completed.
 *
 * <ul>
 *   <li><b>One branch per DataSource and transaction.</b> The connection enlisted first is kept in the transaction
 *       synchronization registry under a key private to this integration; every later {@code getConnection()} of the
 *       same DataSource in that transaction gets it again. Branches are enlisted with
 *       {@link Enlistment#enlist} and never joined on {@code isSameRM}: PostgreSQL's is true only for the same
 *       resource, MariaDB's is true but rejects {@code TMJOIN} (docs/xa-quirks.md).</li>
 *   <li><b>Return after completion.</b> A connection closed inside the transaction stays out of the pool; an
 *       interposed synchronization hands it back in {@code afterCompletion}, after phase two ran on it (MariaDB
 *       finishes a prepared branch only on the preparing connection while it is open, docs/xa-quirks.md).</li>
 *   <li><b>Outside a transaction</b> connections are plain local connections in autocommit mode.</li>
 *   <li><b>Misuse fails loudly.</b> An enlisted connection used on a thread without its transaction, or after that
 *       transaction ended, and a connection obtained outside a transaction but used inside one, fail with a message
 *       saying so (Agroal asks {@link TransactionAware#transactionCheckCallback} before each operation).</li>
 *   <li><b>Recovery.</b> Building the integration registers a {@link RecoverableResource} under the resource name
 *       with Lockstep (a duplicate name is refused, docs/design.md invariant 3); it opens fresh connections through the
 *       recovery factory the pool registers here. When the pool closes and removes its factory, the resource is
 *       unregistered.</li>
 * </ul>
 *
 * <p>{@code transactionCommit()}/{@code transactionRollback()} of the pool are not called: they run a local
 * {@code Connection.commit()/rollback()}, which is for pools without XA; here phase two goes through the XAResource.
 */
public final class LockstepTransactionIntegration implements TransactionIntegration {

    private static final System.Logger LOG = System.getLogger("dev.lockstep.jdbc.LockstepTransactionIntegration");

    private final Lockstep lockstep;
    private final TransactionManager tm;
    private final TransactionSynchronizationRegistry tsr;
    private final String resourceName;
    private final XaVendor vendor;
    private final Object key;
    private final List<ResourceRecoveryFactory> recoveryFactories = new CopyOnWriteArrayList<>();
    private final PoolRecoverableResource recoverableResource;
    /** The enlisted connection this thread's {@code getConnection()} is handing out right now, if any. */
    private final ThreadLocal<Enlisted> handingOut = new ThreadLocal<>();
    private volatile boolean registered;

    /**
     * Builds the integration of the DataSource named {@code resourceName} and registers its recoverable resource
     * with {@code lockstep}.
     *
     * @throws IllegalStateException if Lockstep already has a resource of that name
     */
    public LockstepTransactionIntegration(Lockstep lockstep, String resourceName, XaVendor vendor) {
        this.lockstep = Objects.requireNonNull(lockstep, "lockstep");
        this.resourceName = NamedXAResource.requireValidName(resourceName);
        this.vendor = Objects.requireNonNull(vendor, "vendor");
        this.tm = lockstep.transactionManager();
        this.tsr = lockstep.transactionSynchronizationRegistry();
        this.key = new RegistryKey(resourceName);
        this.recoverableResource = new PoolRecoverableResource(resourceName, vendor, () -> recoveryFactories);
        try {
            lockstep.registerResource(recoverableResource);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(JdbcMessage.RESOURCE_NAME_TAKEN + " cannot create the "
                    + vendor.displayName() + " DataSource '"
                    + resourceName + "': Lockstep " + lockstep.nodeId() + " already has a resource of that name. "
                    + "Every DataSource needs its own stable, unique resource name (it is written into the decision "
                    + "log and used by recovery, docs/design.md invariant 3): choose another name, or close the "
                    + "DataSource "
                    + "that uses it first. (" + e.getMessage() + ")", e);
        }
        registered = true;
    }

    /** The stable resource name of this DataSource's branches. */
    public String resourceName() {
        return resourceName;
    }

    /** The vendor of this DataSource. */
    public XaVendor vendor() {
        return vendor;
    }

    /** The resource registered with Lockstep; {@code connect()} opens a fresh XAConnection for phase two/recovery. */
    public RecoverableResource recoverableResource() {
        return recoverableResource;
    }

    /** The recovery factories the pool registered (for the recovery service); a snapshot. */
    public List<ResourceRecoveryFactory> recoveryFactories() {
        return List.copyOf(recoveryFactories);
    }

    // ------------------------------------------------------------------ TransactionIntegration

    /**
     * The transaction's connection of this DataSource, if it has one; the hand-out of it starts here (see
     * {@link #finishHandOut}), so that a completion on another thread cannot give it back to the pool while the pool
     * hands it to the application.
     */
    @Override
    public TransactionAware getTransactionAware() throws SQLException {
        if (runningTransaction() == null) {
            return null;
        }
        Enlisted enlisted = (Enlisted) tsr.getResource(key);
        if (enlisted == null || !enlisted.beginHandOut()) {
            return null; // none yet, or its transaction completed meanwhile: associate() says which
        }
        handingOut.set(enlisted);
        return enlisted.connection;
    }

    @Override
    public void associate(TransactionAware connection, XAResource xaResource) throws SQLException {
        Transaction tx = runningTransaction();
        if (tx == null) {
            Enlisted stale = handingOut.get();
            if (stale != null && stale.connection == connection) {
                // The transaction completed between getTransactionAware() and here: its connection goes back to
                // the pool when the hand-out ends, and this getConnection() fails then
                // (JdbcMessage.ENDED_DURING_HAND_OUT).
                return;
            }
            refuseEndedTransaction();
            connection.transactionCheckCallback(this::checkUnenlistedUse);
            return;
        }
        Enlisted current = (Enlisted) tsr.getResource(key);
        if (current != null && current.connection == connection) {
            // The pool hands the transaction's connection out again: same branch, nothing to enlist.
            connection.transactionStart();
            return;
        }
        if (current != null) {
            throw new SQLException(JdbcMessage.SECOND_CONNECTION + " the pool of '" + resourceName
                    + "' offered a second connection in "
                    + "transaction " + tx + ", which already has one: this is a bug in the pool integration");
        }
        if (xaResource == null) {
            throw new SQLException(JdbcMessage.NO_XA_RESOURCE + " the DataSource '" + resourceName
                    + "' produced a connection without an "
                    + "XAResource: configure its connection provider as an XADataSource (e.g. "
                    + vendor.xaDataSourceClass().getName() + ")");
        }
        XAResource branch = new EnlistedXAResource(vendor.enlisted(xaResource, (Connection) connection.getConnection()),
                connection);
        // Tracked first, and the connection's return registered in the same step as the branch joins (issue 11): a
        // mark, a rollback or the reaper on another thread between the two would otherwise leave a joined branch
        // whose connection never comes back, or an enlisted connection that Agroal pools again. The hand-out is
        // counted before the branch joins: from then on a completion may run, and must not pool the connection
        // before the application holds it.
        Enlisted enlisted = new Enlisted(connection);
        handingOut.set(enlisted);
        try {
            tsr.putResource(key, enlisted);
            Enlistment.enlist(tx, branch, resourceName, false, enlisted);
        } catch (RollbackException e) {
            handingOut.remove();
            untrack();
            throw new SQLException(JdbcMessage.TRANSACTION_ROLLBACK_ONLY + " cannot use '" + resourceName
                    + "' in transaction " + tx + ": it is marked "
                    + "for rollback, so no new work can join it; roll it back and begin a new one", e);
        } catch (SystemException | RuntimeException e) {
            handingOut.remove();
            untrack();
            throw new SQLException(JdbcMessage.ENLIST_FAILED + " enlisting a connection of '" + resourceName
                    + "' in transaction " + tx + " failed: " + e.getMessage(), e);
        }
        connection.transactionCheckCallback(() -> checkEnlistedUse(tx));
    }

    /**
     * Ends the hand-out this thread's {@code getConnection()} started, once the pool has given the application its
     * connection (or failed to): called by {@link LockstepDataSource} after every {@code getConnection()}. A
     * transaction that completed on another thread meanwhile (the reaper, an asynchronous rollback) left its
     * connection to this call; it goes back to the pool now, with the application's new handle closed.
     *
     * @return the JTA status the transaction completed with during the hand-out, or -1 if it did not (or there was
     *     no hand-out)
     */
    int finishHandOut() {
        Enlisted enlisted = handingOut.get();
        if (enlisted == null) {
            return -1;
        }
        handingOut.remove();
        return enlisted.finishHandOut();
    }

    @Override
    public boolean disassociate(TransactionAware connection) throws SQLException {
        // Enlisted connections reach the pool only from afterCompletion, when nothing is left to undo.
        return true;
    }

    @Override
    public void addResourceRecoveryFactory(ResourceRecoveryFactory factory) {
        recoveryFactories.add(Objects.requireNonNull(factory, "factory"));
    }

    /** Removes a factory; when the last one goes (the pool closed) the resource is unregistered from Lockstep. */
    @Override
    public void removeResourceRecoveryFactory(ResourceRecoveryFactory factory) {
        recoveryFactories.remove(factory);
        if (recoveryFactories.isEmpty()) {
            unregister();
        }
    }

    /** Unregisters the recoverable resource from Lockstep (idempotent); the name can then be used again. */
    void unregister() {
        synchronized (this) {
            if (!registered) {
                return;
            }
            registered = false;
        }
        lockstep.unregisterResource(recoverableResource);
    }

    // ------------------------------------------------------------------ checks

    /** The thread's transaction if work can still join it (active or marked rollback-only), else null. */
    private Transaction runningTransaction() throws SQLException {
        try {
            Transaction tx = tm.getTransaction();
            if (tx == null) {
                return null;
            }
            int status = tx.getStatus();
            return status == Status.STATUS_ACTIVE || status == Status.STATUS_MARKED_ROLLBACK ? tx : null;
        } catch (SystemException e) {
            throw new SQLException(JdbcMessage.TRANSACTION_UNREADABLE
                    + " cannot read the current transaction of this thread: " + e.getMessage(), e);
        }
    }

    /**
     * A thread whose transaction completed without it (timed out and rolled back by the reaper, or rolled back from
     * another thread) gets no connection: work done on it would run outside the transaction the application still
     * believes it is in.
     */
    private void refuseEndedTransaction() throws SQLException {
        Transaction tx;
        int status;
        try {
            tx = tm.getTransaction();
            status = tx == null ? Status.STATUS_NO_TRANSACTION : tx.getStatus();
        } catch (SystemException e) {
            throw new SQLException(JdbcMessage.TRANSACTION_UNREADABLE
                    + " cannot read the current transaction of this thread: " + e.getMessage(), e);
        }
        if (tx != null && status != Status.STATUS_NO_TRANSACTION) {
            throw new SQLException(JdbcMessage.TRANSACTION_ENDED + " cannot get a connection of '" + resourceName
                    + "' in transaction " + tx
                    + ": it has ended (status " + statusName(status) + "; timed out, or completed from another "
                    + "thread), so no work can join it. Call rollback() to end it on this thread and begin a new one");
        }
    }

    /** Agroal's check before each operation of a connection obtained outside a transaction. */
    private Boolean checkUnenlistedUse() throws SQLException {
        Transaction now = runningTransaction();
        if (now != null) {
            throw new SQLException(JdbcMessage.USED_OUTSIDE_ITS_START + " this connection of '" + resourceName
                    + "' was obtained outside a "
                    + "transaction and is now used inside transaction " + now + ": its work would not be part of the "
                    + "transaction. Close it and get a new connection after begin()");
        }
        return Boolean.FALSE;
    }

    /** Agroal's check before each operation of a connection enlisted in {@code tx}. */
    private Boolean checkEnlistedUse(Transaction tx) throws SQLException {
        Transaction now;
        int status;
        try {
            now = tm.getTransaction();
            status = tx.getStatus();
        } catch (SystemException e) {
            throw new SQLException(JdbcMessage.TRANSACTION_UNREADABLE
                    + " cannot read the current transaction of this thread: " + e.getMessage(), e);
        }
        boolean running = status == Status.STATUS_ACTIVE || status == Status.STATUS_MARKED_ROLLBACK;
        if (now == tx && running) {
            return Boolean.TRUE;
        }
        String why = !running ? "has ended (status " + statusName(status) + ")"
                : now == null ? "is not associated with this thread (suspended, or used from another thread)"
                : "is not the transaction of this thread (" + now + ")";
        throw new SQLException(JdbcMessage.USED_OUTSIDE_ITS_TRANSACTION + " this connection of '" + resourceName
                + "' is enlisted in transaction " + tx
                + ", which " + why + ": a connection obtained in a transaction can only be used in that transaction, "
                + "on its thread; get a new connection for other work");
    }

    /** Forgets the connection tracked for a failed enlistment (nothing to forget if the transaction has ended). */
    private void untrack() {
        try {
            tsr.putResource(key, null);
        } catch (RuntimeException ignored) {
            // the transaction ended meanwhile: its resources are gone with it
        }
    }

    static String statusName(int status) {
        return switch (status) {
            case Status.STATUS_ACTIVE -> "ACTIVE";
            case Status.STATUS_MARKED_ROLLBACK -> "MARKED_ROLLBACK";
            case Status.STATUS_PREPARED -> "PREPARED";
            case Status.STATUS_COMMITTED -> "COMMITTED";
            case Status.STATUS_ROLLEDBACK -> "ROLLEDBACK";
            case Status.STATUS_UNKNOWN -> "UNKNOWN";
            case Status.STATUS_NO_TRANSACTION -> "NO_TRANSACTION";
            case Status.STATUS_PREPARING -> "PREPARING";
            case Status.STATUS_COMMITTING -> "COMMITTING";
            case Status.STATUS_ROLLING_BACK -> "ROLLING_BACK";
            default -> "status " + status;
        };
    }

    @Override
    public String toString() {
        return "LockstepTransactionIntegration[" + resourceName + ", " + vendor.displayName() + "]";
    }

    /** The registry key of one DataSource: identity-based, never equal to another integration's key. */
    private static final class RegistryKey {
        private final String name;

        RegistryKey(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return "lockstep-jdbc:" + name;
        }
    }

    /**
     * The connection of one DataSource enlisted in one transaction: hands it back to the pool once the transaction
     * has completed (after phase two ran on it), or destroys it when the outcome is not known to be committed or
     * rolled back.
     *
     * <p>Why destroy: any other status ({@code STATUS_UNKNOWN} after a heuristic, or when the transaction manager
     * leaves the branches prepared for recovery) means the branch of this connection may still be prepared on it. A
     * MariaDB session holding a prepared branch cannot run new XA work, and no other connection can finish that
     * branch while the session is open (docs/xa-quirks.md); closing the connection releases the branch to the
     * retrier and recovery, and keeps the session out of the next transaction.
     *
     * <p>Why count hand-outs: the transaction may complete on another thread (the reaper, a rollback from elsewhere)
     * while {@code getConnection()} is handing this connection to the application. Agroal creates the handle the
     * application closes only after {@link #associate} returns; a connection pooled before that would be pooled a
     * second time when the application closes its handle, and used meanwhile by two threads. So a completion during
     * a hand-out leaves the return to the end of the hand-out ({@link #finishHandOut}).
     */
    private final class Enlisted implements Synchronization {
        private static final int NOT_COMPLETED = -1;

        final TransactionAware connection;
        private int handOuts = 1; // created by the getConnection() that enlists it
        private int completedWith = NOT_COMPLETED;
        private boolean returned;

        Enlisted(TransactionAware connection) {
            this.connection = connection;
        }

        /** Counts one more hand-out; false if the transaction has completed (the connection is no longer its). */
        synchronized boolean beginHandOut() {
            if (completedWith != NOT_COMPLETED) {
                return false;
            }
            handOuts++;
            return true;
        }

        int finishHandOut() {
            int status;
            synchronized (this) {
                handOuts--;
                status = completedWith;
                if (status == NOT_COMPLETED || handOuts > 0 || returned) {
                    return status;
                }
                returned = true;
            }
            giveBack(status);
            return status;
        }

        @Override
        public void beforeCompletion() {
            connection.transactionBeforeCompletion(true);
        }

        @Override
        public void afterCompletion(int status) {
            synchronized (this) {
                completedWith = status;
                if (handOuts > 0) {
                    return; // the hand-out in progress gives it back when it ends
                }
                returned = true;
            }
            giveBack(status);
        }

        private void giveBack(int status) {
            if (status != Status.STATUS_COMMITTED && status != Status.STATUS_ROLLEDBACK) {
                connection.setFlushOnly();
            }
            try {
                connection.transactionEnd();
            } catch (SQLException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, JdbcMessage.RETURN_TO_POOL_FAILED
                        + " returning the connection of '" + resourceName
                        + "' to its pool after completion (" + statusName(status) + ") failed", e);
            }
        }
    }
}
