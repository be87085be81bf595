package dev.lockstep.tm.spi;

import jakarta.transaction.RollbackException;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import javax.transaction.xa.XAResource;

/** How pools enlist a connection's raw XAResource under their stable resource name. */
public final class Enlistment {

    private Enlistment() {
    }

    /**
     * Enlists {@code resource} in {@code tx} under {@code name}; {@code joinsOnSameRM} as in
     * {@link NamedXAResource#joinsOnSameRM()}. The same raw resource can later be delisted with
     * {@code tx.delistResource(resource, flag)}. With another TM's transaction, the resource is wrapped in a
     * {@link NamedXAResource} instead.
     */
    public static boolean enlist(Transaction tx, XAResource resource, String name, boolean joinsOnSameRM)
            throws RollbackException, SystemException {
        if (tx instanceof EnlistsByName ltx) {
            return ltx.enlistResource(resource, name, joinsOnSameRM);
        }
        return tx.enlistResource(NamedXAResource.wrap(name, resource, joinsOnSameRM));
    }

    /**
     * Enlists as {@link #enlist(Transaction, XAResource, String, boolean)} and, with a Lockstep transaction, registers
     * {@code afterCompletion} as an interposed synchronization in the same step: it is registered if and only if the
     * enlistment succeeds, even when another thread marks the transaction rollback-only or begins its completion
     * meanwhile. Pools use it to be sure to get their connection back. With another TM's transaction, the
     * synchronization is registered on the transaction after the enlistment.
     */
    public static boolean enlist(Transaction tx, XAResource resource, String name, boolean joinsOnSameRM,
            Synchronization afterCompletion) throws RollbackException, SystemException {
        if (tx instanceof EnlistsByName ltx) {
            return ltx.enlistResource(resource, name, joinsOnSameRM, afterCompletion);
        }
        boolean enlisted = enlist(tx, resource, name, joinsOnSameRM);
        tx.registerSynchronization(afterCompletion);
        return enlisted;
    }
}
