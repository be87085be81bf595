package dev.lockstep.jdbc.vendor;

import dev.lockstep.jdbc.JdbcMessage;
import java.sql.SQLException;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * Votes rollback for a PostgreSQL branch in which a statement failed, instead of letting the server lose it.
 *
 * <p>Why (docs/xa-quirks.md, PostgreSQL "Silent rollback at prepare"): after a failed statement the server transaction
 * is
 * aborted, yet {@code PREPARE TRANSACTION} answers success and prepares nothing, so pgjdbc's {@code prepare()}
 * returns {@code XA_OK}. The later {@code commit(xid, false)} then fails with {@code XAER_RMERR} or {@code XAER_NOTA}:
 * a branch lost after the COMMIT decision, i.e. a heuristic hazard. Checking the connection's transaction state
 * before delegating turns this into an honest vote: the branch is rolled back here and {@code prepare} throws
 * {@code XA_RBROLLBACK}, so the transaction manager rolls the whole transaction back and the application gets a
 * {@code RollbackException}. A one-phase commit gets the same check (the server would answer its COMMIT with
 * ROLLBACK).
 */
public final class PostgreSqlFailedBranchVeto extends ForwardingXAResource {

    /** Tells whether the server transaction of the branch's connection is aborted (pgjdbc's {@code FAILED}). */
    @FunctionalInterface
    public interface TransactionStateProbe {
        boolean aborted() throws SQLException;
    }

    private final TransactionStateProbe probe;

    public PostgreSqlFailedBranchVeto(XAResource delegate, TransactionStateProbe probe) {
        super(delegate);
        this.probe = java.util.Objects.requireNonNull(probe, "probe");
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        if (aborted()) {
            throw rollBack(xid, "prepare");
        }
        return delegate.prepare(xid);
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        if (onePhase && aborted()) {
            throw rollBack(xid, "one-phase commit");
        }
        delegate.commit(xid, onePhase);
    }

    private boolean aborted() {
        try {
            return probe.aborted();
        } catch (SQLException | RuntimeException e) {
            // The state cannot be read (broken connection): the delegated call reports that with its own XA code.
            return false;
        }
    }

    private XAException rollBack(Xid xid, String phase) {
        XAException rollbackFailure = null;
        try {
            delegate.rollback(xid);
        } catch (XAException e) {
            // The server has aborted the transaction anyway; the pool destroys the connection (any XAException on an
            // enlisted connection flushes it), so nothing of this branch survives.
            rollbackFailure = e;
        }
        XAException vote = xaException(XAException.XA_RBROLLBACK, JdbcMessage.POSTGRESQL_BRANCH_ABORTED
                + " PostgreSQL branch " + xid
                + " is aborted because a statement in it failed; voting rollback at " + phase
                + " (PostgreSQL would report success and prepare nothing, docs/xa-quirks.md): the transaction rolls "
                + "back;"
                + " handle the failed statement's SQLException in the application (or roll back) instead of committing",
                rollbackFailure);
        return vote;
    }
}
