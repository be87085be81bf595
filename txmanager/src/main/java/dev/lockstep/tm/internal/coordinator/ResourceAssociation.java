package dev.lockstep.tm.internal.coordinator;

import javax.transaction.xa.XAResource;

/**
 * The association of one XAResource object with a branch: started, suspended, ended or failed. Guarded by the
 * transaction's monitor, except while {@link #busy}: then only the thread that claimed it writes the association, and
 * the monitor's release of the claim publishes it (nobody reads the association while it is busy).
 */
final class ResourceAssociation {

    enum AssociationState { ACTIVE, SUSPENDED, ENDED, FAILED }

    final XAResource resource;
    final Branch branch;
    AssociationState association = AssociationState.ACTIVE;
    /**
     * A thread is calling {@code start} or {@code end} for this association right now (outside the monitor). Another
     * thread that wants to change the association waits until it is clear: two {@code end} calls on one branch, or a
     * prepare while a {@code start} is still in flight, would each be a protocol error on the resource.
     */
    boolean busy;

    ResourceAssociation(XAResource resource, Branch branch) {
        this.resource = resource;
        this.branch = branch;
    }
}
