package dev.lockstep.tm.spi;

import jakarta.transaction.RollbackException;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import javax.transaction.xa.XAResource;

/**
 * A transaction that enlists a raw XAResource under a stable resource name (docs/design.md invariant 3): Lockstep's
 * transactions are one. {@link Enlistment} uses it, so that pools need neither the core's internals nor a wrapper
 * around each connection's XAResource.
 */
public interface EnlistsByName {

    /**
     * Enlists {@code resource} under {@code name}, joining a branch of the same resource manager only if
     * {@code joinable}; {@code tx.delistResource(resource, flag)} later finds it by identity.
     */
    boolean enlistResource(XAResource resource, String name, boolean joinable)
            throws RollbackException, SystemException;

    /**
     * As {@link #enlistResource(XAResource, String, boolean)}, and registers {@code afterCompletion} as an interposed
     * synchronization in the same step: registered if and only if this returns true, even when another thread marks
     * the transaction rollback-only or begins its completion meanwhile.
     */
    boolean enlistResource(XAResource resource, String name, boolean joinable, Synchronization afterCompletion)
            throws RollbackException, SystemException;
}
