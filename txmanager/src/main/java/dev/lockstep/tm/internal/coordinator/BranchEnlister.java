package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.events.TransactionEvent.BranchEnlisted;
import dev.lockstep.tm.internal.xa.LockstepXid;
import dev.lockstep.tm.internal.xa.XaCodes;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.spi.NamedXAResource;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;

/**
 * The branches of one transaction and the associations of XAResource objects with them: enlisting (a new branch
 * numbered within the transaction, or a join of a branch of the same RM), suspending, delisting, and the end of every
 * open association when completion begins. One per transaction.
 *
 * <p>Everything here is guarded by the transaction's monitor, which also guards its state: an enlistment checks the
 * state and joins in one step. The {@code start} and {@code end} calls are made outside it, so a resource that blocks
 * never blocks a status query; while one is in flight its {@link ResourceAssociation} is busy, and a thread that wants
 * to
 * change that association (a second enlistment of the same XAResource, a delisting, completion's {@link #endAll})
 * waits on the monitor until it is clear. Two {@code end} calls on one branch, or a prepare while a {@code start} is
 * still in flight, would each be a protocol error on the resource.
 */
final class BranchEnlister {

    private final LockstepTransaction tx;
    private final List<ResourceAssociation> enlistments = new ArrayList<>(4);
    /** Branch numbers handed out so far; never reused, so two threads enlisting at once get different qualifiers. */
    private int branchNumbers;
    /** Associations with a start or end call in flight ({@link ResourceAssociation#busy}), and their waiters. */
    private int busyAssociations;
    private int associationWaiters;

    BranchEnlister(LockstepTransaction tx) {
        this.tx = tx;
    }

    /** See {@link LockstepTransaction#enlistResource(XAResource, String, boolean, Synchronization)}. */
    boolean enlist(XAResource resource, String name, boolean joinable, Synchronization afterCompletion)
            throws RollbackException, SystemException {
        NamedXAResource.requireValidName(name);
        ResourceAssociation existing;
        synchronized (tx) {
            tx.checkCanEnlist();
            existing = find(resource);
        }
        if (existing != null) {
            return reassociate(existing, afterCompletion);
        }
        Branch joinTarget = joinable ? findJoinTarget(resource) : null;
        ResourceAssociation e;
        int flag;
        synchronized (tx) {
            tx.checkCanEnlist();
            existing = find(resource);
            if (existing == null) {
                Branch branch;
                if (joinTarget != null) {
                    branch = joinTarget;
                    flag = XAResource.TMJOIN;
                } else {
                    branch = new Branch(LockstepXid.branch(tx.gtrid, ++branchNumbers), resource, name, joinable);
                    flag = XAResource.TMNOFLAGS;
                }
                // Listed, and busy, before start() is called: a completion that begins meanwhile waits for the call,
                // and a second thread enlisting the same XAResource finds it and waits too.
                e = new ResourceAssociation(resource, branch);
                markBusy(e);
                enlistments.add(e);
            } else {
                e = null;
                flag = 0;
            }
        }
        if (e == null) {
            return reassociate(existing, afterCompletion); // another thread enlisted the same XAResource meanwhile
        }
        try {
            resource.start(e.branch.xid, flag);
        } catch (XAException | RuntimeException ex) {
            synchronized (tx) {
                markIfRolledBackAtStart(ex); // before the release, so a completion waiting for it sees the mark
                enlistments.remove(e);
                clearBusy(e);
            }
            throw enlistFailed(resource, e.branch, ex);
        }
        synchronized (tx) {
            // A completion that began while start() ran is waiting for this enlistment (it is busy), so the branch
            // joins the transaction and is ended, prepared and finished with the others.
            if (flag == XAResource.TMNOFLAGS) {
                tx.branches.add(e.branch);
            }
            if (afterCompletion != null) {
                tx.interposed.add(afterCompletion);
            }
            clearBusy(e);
        }
        if (flag == XAResource.TMNOFLAGS && tx.coordinator.events != null) {
            tx.coordinator.events.publish(new BranchEnlisted(tx.sequence, e.branch.resourceName,
                    e.branch.xid.branchNumber()));
        }
        return true;
    }

    private boolean reassociate(ResourceAssociation e, Synchronization afterCompletion)
            throws RollbackException, SystemException {
        int flag;
        synchronized (tx) {
            awaitIdle(e);
            tx.checkCanEnlist(); // a completion may have begun while we waited
            switch (e.association) {
                case ACTIVE:
                    return true;
                case SUSPENDED:
                    flag = XAResource.TMRESUME;
                    break;
                case ENDED:
                    // XA allows start(TMJOIN) after end(TMSUCCESS) on the same resource (PostgreSQL supports it).
                    flag = XAResource.TMJOIN;
                    break;
                default:
                    throw new RollbackException(TmMessage.DELISTED_WITH_TMFAIL + " " + e.branch + " of transaction "
                            + tx + " was delisted with TMFAIL: the transaction can only roll back");
            }
            markBusy(e);
        }
        ResourceAssociation.AssociationState before = e.association;
        try {
            e.resource.start(e.branch.xid, flag);
        } catch (XAException | RuntimeException ex) {
            synchronized (tx) {
                markIfRolledBackAtStart(ex);
                settled(e, before);
            }
            throw enlistFailed(e.resource, e.branch, ex);
        }
        synchronized (tx) {
            if (afterCompletion != null) {
                tx.interposed.add(afterCompletion);
            }
            settled(e, ResourceAssociation.AssociationState.ACTIVE);
        }
        return true;
    }

    /** XA_RB* from start: the resource has already given up on the transaction, so it can only roll back. */
    private void markIfRolledBackAtStart(Throwable cause) {
        if (XaCodes.rolledBack(cause)) {
            tx.markRollbackOnly(cause);
        }
    }

    /**
     * Throws RollbackException if the resource rolled the branch back at start (the caller marked the transaction),
     * else returns a SystemException.
     */
    private SystemException enlistFailed(XAResource resource, Branch branch, Throwable cause)
            throws RollbackException {
        if (XaCodes.rolledBack(cause)) {
            RollbackException re = new RollbackException(TmMessage.BRANCH_ROLLED_BACK_AT_START + " " + resource
                    + " rolled back " + branch
                    + " of transaction " + tx + " at start: " + LockstepTransaction.describe(cause));
            re.initCause(cause);
            throw re;
        }
        SystemException se = new SystemException(TmMessage.BRANCH_START_FAILED + " could not start " + branch
                + " of transaction " + tx + " on " + resource + ": " + LockstepTransaction.describe(cause));
        se.initCause(cause);
        return se;
    }

    private ResourceAssociation find(XAResource resource) {
        for (int i = 0; i < enlistments.size(); i++) {
            ResourceAssociation e = enlistments.get(i);
            if (e.resource == resource) {
                return e;
            }
        }
        return null;
    }

    /** A branch of the same RM that both resources allow to be joined, or null. */
    private Branch findJoinTarget(XAResource resource) throws SystemException {
        List<Branch> candidates;
        synchronized (tx) {
            candidates = new ArrayList<>(tx.branches);
        }
        for (Branch b : candidates) {
            if (!b.joinable) {
                continue;
            }
            try {
                if (resource.isSameRM(b.resource)) {
                    return b;
                }
            } catch (XAException e) {
                SystemException se = new SystemException(TmMessage.IS_SAME_RM_FAILED + " isSameRM of " + resource
                        + " against " + b + " of transaction " + tx + " failed: " + LockstepTransaction.describe(e));
                se.initCause(e);
                throw se;
            }
        }
        return null;
    }

    /** See {@link LockstepTransaction#delistResource(XAResource, int)}. */
    boolean delist(XAResource resource, int flag) throws SystemException {
        if (flag != XAResource.TMSUCCESS && flag != XAResource.TMFAIL && flag != XAResource.TMSUSPEND) {
            throw new IllegalArgumentException(TmMessage.DELIST_BAD_FLAG
                    + " delistResource flag must be TMSUCCESS, TMFAIL or TMSUSPEND, got " + flag);
        }
        ResourceAssociation e;
        synchronized (tx) {
            tx.checkCanDelist();
            e = find(resource);
            if (e == null) {
                return false;
            }
            awaitIdle(e);
            tx.checkCanDelist(); // a completion may have ended it while we waited
            if (e.association == ResourceAssociation.AssociationState.ENDED
                    || e.association == ResourceAssociation.AssociationState.FAILED) {
                return false;
            }
            if (e.association == ResourceAssociation.AssociationState.SUSPENDED && flag == XAResource.TMSUSPEND) {
                return true;
            }
            if (flag == XAResource.TMFAIL) {
                // Decided here, together with the claim: a commit that has not yet left ACTIVE now rolls back, and one
                // that has is already past this point (checkCanDelist refused).
                tx.markRollbackOnly(new IllegalStateException("delistResource(" + e.resource + ", TMFAIL) was "
                        + "called here"));
            }
            markBusy(e);
        }
        try {
            e.resource.end(e.branch.xid, flag);
        } catch (XAException | RuntimeException ex) {
            tx.markRollbackOnly(ex);
            settled(e, ResourceAssociation.AssociationState.FAILED);
            SystemException se = new SystemException(TmMessage.BRANCH_END_FAILED + " end(" + flagName(flag) + ") of "
                    + e.branch + " of transaction " + tx + " failed: " + LockstepTransaction.describe(ex)
                    + "; the transaction will roll back");
            se.initCause(ex);
            throw se;
        }
        settled(e, switch (flag) {
            case XAResource.TMSUSPEND -> ResourceAssociation.AssociationState.SUSPENDED;
            case XAResource.TMFAIL -> ResourceAssociation.AssociationState.FAILED;
            default -> ResourceAssociation.AssociationState.ENDED;
        });
        return true;
    }

    /**
     * Completion's end of every association still started or suspended, with {@code flag} ({@code TMSUCCESS}, or
     * {@code TMFAIL} from the reaper); returns the first branch whose end failed, or null. A failed end leaves the
     * branch's vote as {@link XaCodes#ofEndError} reads it: rolled back already by the RM, or to be rolled back. A
     * start or end that another thread has in flight is waited for first, so no association is ended twice or left
     * started.
     */
    Branch endAll(int flag) {
        Branch firstFailure = null;
        List<ResourceAssociation> claimed = claimOpenAssociations();
        try {
            for (int i = 0; i < claimed.size(); i++) {
                ResourceAssociation e = claimed.get(i);
                try {
                    e.resource.end(e.branch.xid, flag);
                    e.association = flag == XAResource.TMFAIL ? ResourceAssociation.AssociationState.FAILED
                            : ResourceAssociation.AssociationState.ENDED;
                } catch (XAException | RuntimeException ex) {
                    e.branch.failed(ex);
                    e.branch.vote = XaCodes.ofEndError(ex, e.branch.vote);
                    e.association = ResourceAssociation.AssociationState.FAILED;
                    if (firstFailure == null) {
                        firstFailure = e.branch;
                    }
                }
            }
        } finally {
            releaseClaims(claimed);
        }
        return firstFailure;
    }

    /**
     * Completion's claim of every association still started or suspended, to end it: waits until no other thread is
     * in the middle of a start or end (an enlistment or delisting begun before completion closed them), then marks the
     * open ones busy and returns them. Called after the synchronizations closed, so no new enlistment begins.
     */
    private List<ResourceAssociation> claimOpenAssociations() {
        synchronized (tx) {
            boolean interrupted = false;
            while (busyAssociations > 0) {
                interrupted |= awaitChange();
            }
            if (interrupted) {
                Thread.currentThread().interrupt(); // the calls in flight ended; their outcome decides what comes next
            }
            List<ResourceAssociation> open = new ArrayList<>(enlistments.size());
            for (int i = 0; i < enlistments.size(); i++) {
                ResourceAssociation e = enlistments.get(i);
                if (e.association == ResourceAssociation.AssociationState.ACTIVE
                        || e.association == ResourceAssociation.AssociationState.SUSPENDED) {
                    markBusy(e);
                    open.add(e);
                }
            }
            return open;
        }
    }

    /**
     * Ends the claims of {@link #claimOpenAssociations} in one trip through the monitor, once their holder has set
     * each one's association. It could set them without the monitor because nobody reads the association of a busy
     * enlistment, and this release publishes them.
     */
    private void releaseClaims(List<ResourceAssociation> claimed) {
        synchronized (tx) {
            for (int i = 0; i < claimed.size(); i++) {
                clearBusy(claimed.get(i));
            }
        }
    }

    /** Records the association {@code e} reached after a start or end call, and wakes whoever waits for it. */
    private void settled(ResourceAssociation e, ResourceAssociation.AssociationState association) {
        synchronized (tx) {
            e.association = association;
            clearBusy(e);
        }
    }

    /** Claims {@code e} for a start or end call made outside the monitor; called with the monitor held. */
    private void markBusy(ResourceAssociation e) {
        e.busy = true;
        busyAssociations++;
    }

    /** Ends a claim; wakes the threads waiting for claims to end, if any (notifyAll is a native call). */
    private void clearBusy(ResourceAssociation e) {
        e.busy = false;
        busyAssociations--;
        if (associationWaiters > 0) {
            tx.notifyAll();
        }
    }

    /** Waits, holding the monitor's turn, until no thread is calling start or end for {@code e}. */
    private void awaitIdle(ResourceAssociation e) {
        boolean interrupted = false;
        while (e.busy) {
            interrupted |= awaitChange();
        }
        if (interrupted) {
            Thread.currentThread().interrupt(); // the call in flight will end; its outcome decides what happens next
        }
    }

    /** One wait for a claim to end; true if the thread was interrupted meanwhile (the caller re-asserts it). */
    private boolean awaitChange() {
        associationWaiters++;
        try {
            tx.wait();
            return false;
        } catch (InterruptedException ie) {
            return true;
        } finally {
            associationWaiters--;
        }
    }

    /** The name a plain XAResource is recorded under: its own if it is a {@link NamedXAResource}. */
    static String nameOf(XAResource resource) {
        if (resource instanceof NamedXAResource named) {
            return named.resourceName();
        }
        return "unnamed:" + resource.getClass().getName();
    }

    static String flagName(int flag) {
        return switch (flag) {
            case XAResource.TMSUCCESS -> "TMSUCCESS";
            case XAResource.TMFAIL -> "TMFAIL";
            case XAResource.TMSUSPEND -> "TMSUSPEND";
            default -> String.valueOf(flag);
        };
    }
}
