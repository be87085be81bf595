package dev.lockstep.recoveryservice;

import dev.lockstep.tm.spi.NamedXAResource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A resource that votes OK and has nothing to recover: enough to write a real log. It commits whatever it is told,
 * or, made {@link #unreachableInPhaseTwo()}, answers every commit with XAER_RMFAIL, so the decision stays open.
 */
final class FakeXAResource implements NamedXAResource {

    private final String name;
    private boolean failCommit;

    FakeXAResource(String name) {
        this.name = name;
    }

    FakeXAResource unreachableInPhaseTwo() {
        failCommit = true;
        return this;
    }

    @Override
    public String resourceName() {
        return name;
    }

    @Override
    public void start(Xid xid, int flags) {
    }

    @Override
    public void end(Xid xid, int flags) {
    }

    @Override
    public int prepare(Xid xid) {
        return XAResource.XA_OK;
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        if (failCommit) {
            throw new XAException(XAException.XAER_RMFAIL);
        }
    }

    @Override
    public void rollback(Xid xid) {
    }

    @Override
    public void forget(Xid xid) {
    }

    @Override
    public Xid[] recover(int flag) {
        return new Xid[0];
    }

    @Override
    public boolean isSameRM(XAResource other) {
        return other == this;
    }

    @Override
    public int getTransactionTimeout() {
        return 0;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) {
        return false;
    }
}
