package dev.lockstep.tm.spi;

import javax.transaction.xa.XAResource;

/**
 * A resource registered with Lockstep by name, able to open a fresh connection for phase two and recovery.
 *
 * <p>After a decision, a branch whose connection broke cannot be finished on that connection; the transaction
 * manager then asks the registered resource of the same name for a new one. The recovery service uses the same
 * interface for every configured resource. Names are unique per {@code Lockstep}: registering a second resource
 * under a name already taken fails (docs/design.md invariant 3).
 */
public interface RecoverableResource {

    /** The stable name, the same as {@link NamedXAResource#resourceName()} of the resource's branches. */
    String name();

    /** Opens a new connection to the resource for phase two and {@code recover()}; the caller closes it. */
    RecoveryConnection connect() throws Exception;

    /** One connection opened for recovery. */
    interface RecoveryConnection extends AutoCloseable {
        XAResource xaResource();

        @Override
        void close() throws Exception;
    }
}
