package dev.lockstep.jdbc.vendor;

import java.util.Objects;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * An {@link XAResource} that forwards every call to another; vendor decorators override the calls they change.
 * {@link #isSameRM} compares the innermost resources, so decorating never changes what the driver answers.
 */
public abstract class ForwardingXAResource implements XAResource {

    protected final XAResource delegate;

    protected ForwardingXAResource(XAResource delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The driver's own XAResource under every decoration. */
    public final XAResource innermost() {
        XAResource r = delegate;
        while (r instanceof ForwardingXAResource f) {
            r = f.delegate;
        }
        return r;
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        delegate.start(xid, flags);
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        delegate.end(xid, flags);
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        return delegate.prepare(xid);
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        delegate.commit(xid, onePhase);
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        delegate.rollback(xid);
    }

    @Override
    public void forget(Xid xid) throws XAException {
        delegate.forget(xid);
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        return delegate.recover(flag);
    }

    @Override
    public int getTransactionTimeout() throws XAException {
        return delegate.getTransactionTimeout();
    }

    @Override
    public boolean setTransactionTimeout(int seconds) throws XAException {
        return delegate.setTransactionTimeout(seconds);
    }

    @Override
    public boolean isSameRM(XAResource other) throws XAException {
        XAResource target = other instanceof ForwardingXAResource f ? f.innermost() : other;
        return innermost().isSameRM(target);
    }

    /** An XAException with a message and an error code (the JDK has no constructor taking both). */
    public static XAException xaException(int errorCode, String message, Throwable cause) {
        XAException e = new XAException(message);
        e.errorCode = errorCode;
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + delegate + ")";
    }
}
