package dev.lockstep.jdbc;

import dev.lockstep.jdbc.vendor.ForwardingXAResource;
import io.agroal.api.transaction.TransactionAware;
import java.sql.SQLException;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The XAResource enlisted for one pooled connection: it tells the pool when the branch starts, and takes a connection
 * on which any XA call failed out of the pool.
 *
 * <p>Why flush on failure: after a failed XA call the connection may be broken, or (MySQL/MariaDB, docs/xa-quirks.md)
 * still hold a prepared branch attached to its session, which no other connection can finish while it is open.
 * Destroying it when the transaction completes means it is never handed out again, and closing it releases such a
 * branch for the phase-two retry that Lockstep runs on a fresh connection.
 */
final class EnlistedXAResource extends ForwardingXAResource {

    private final TransactionAware connection;

    EnlistedXAResource(XAResource vendorResource, TransactionAware connection) {
        super(vendorResource);
        this.connection = connection;
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        try {
            connection.transactionStart();
        } catch (SQLException e) {
            connection.setFlushOnly();
            throw xaException(XAException.XAER_RMFAIL, JdbcMessage.CONNECTION_SETUP_FAILED
                    + " preparing the pooled connection for branch " + xid
                    + " failed (switching off autocommit): " + e.getMessage(), e);
        }
        try {
            delegate.start(xid, flags);
        } catch (XAException | RuntimeException e) {
            connection.setFlushOnly();
            throw e;
        }
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        try {
            delegate.end(xid, flags);
        } catch (XAException | RuntimeException e) {
            connection.setFlushOnly();
            throw e;
        }
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        try {
            return delegate.prepare(xid);
        } catch (XAException | RuntimeException e) {
            connection.setFlushOnly();
            throw e;
        }
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        try {
            delegate.commit(xid, onePhase);
        } catch (XAException | RuntimeException e) {
            connection.setFlushOnly();
            throw e;
        }
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        try {
            delegate.rollback(xid);
        } catch (XAException | RuntimeException e) {
            connection.setFlushOnly();
            throw e;
        }
    }

    @Override
    public void forget(Xid xid) throws XAException {
        try {
            delegate.forget(xid);
        } catch (XAException | RuntimeException e) {
            connection.setFlushOnly();
            throw e;
        }
    }
}
