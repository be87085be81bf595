package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.internal.xa.LockstepXid;
import dev.lockstep.tm.internal.xa.XaCalls;
import dev.lockstep.tm.internal.xa.XaCodes;
import javax.transaction.xa.XAResource;

/**
 * One branch of a transaction: an XID, the resource that started it and the name it is recorded under.
 * The fields set during a phase are written by the thread that ran the call and read by the coordinator after
 * {@link PhaseRunner} joined that thread.
 */
final class Branch implements XaCalls.Failures {

    final LockstepXid xid;
    final XAResource resource;
    final String resourceName;
    /** Whether other XAResources of the same RM may join this branch (declared by the resource). */
    final boolean joinable;

    XaCodes.PrepareOutcome vote;
    XaCodes.PhaseTwoOutcome phaseTwo;
    /** The XA error code of the last failed call on this branch, 0 if none. */
    int lastErrorCode;
    volatile Throwable lastError;

    Branch(LockstepXid xid, XAResource resource, String resourceName, boolean joinable) {
        this.xid = xid;
        this.resource = resource;
        this.resourceName = resourceName;
        this.joinable = joinable;
    }

    @Override
    public void failed(Throwable t) {
        lastError = t;
        lastErrorCode = XaCodes.codeOf(t);
    }

    @Override
    public String toString() {
        return "branch " + xid.branchNumber() + " on '" + resourceName + "'";
    }
}
