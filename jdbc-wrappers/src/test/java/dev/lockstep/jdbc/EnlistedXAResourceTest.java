package dev.lockstep.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.agroal.api.transaction.TransactionAware;
import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;

/**
 * A pooled connection on which an XA call failed is never pooled again (on MySQL/MariaDB a failed phase two leaves the
 * prepared branch attached to that session, docs/xa-quirks.md).
 */
class EnlistedXAResourceTest {

    private static final Xid XID = new Xid() {
        @Override public int getFormatId() { return 1; }
        @Override public byte[] getGlobalTransactionId() { return new byte[] {1}; }
        @Override public byte[] getBranchQualifier() { return new byte[] {1}; }
    };

    /** Records what the pool is told. */
    private static final class FakeConnection implements TransactionAware {
        final List<String> events = new ArrayList<>();

        @Override public void transactionStart() { events.add("transactionStart"); }
        @Override public void transactionBeforeCompletion(boolean successful) { events.add("beforeCompletion"); }
        @Override public void transactionCommit() { events.add("transactionCommit"); }
        @Override public void transactionRollback() { events.add("transactionRollback"); }
        @Override public void transactionEnd() { events.add("transactionEnd"); }
        @Override public void transactionCheckCallback(SQLCallable<Boolean> check) { }
        @Override public Object getConnection() { return null; }
        @Override public void setFlushOnly() { events.add("setFlushOnly"); }
    }

    @Test
    void failedCommitFlushesTheConnection() {
        XAException rmfail = new XAException(XAException.XAER_RMFAIL);
        ScriptedXAResource db = new ScriptedXAResource("mariadb").failOn(ScriptedXAResource.Verb.COMMIT, rmfail);
        FakeConnection conn = new FakeConnection();
        EnlistedXAResource r = new EnlistedXAResource(db, conn);
        assertSame(rmfail, assertThrows(XAException.class, () -> r.commit(XID, false)));
        assertEquals(List.of("setFlushOnly"), conn.events);
    }

    @Test
    void failedRollbackFlushesTheConnection() {
        ScriptedXAResource db = new ScriptedXAResource("mariadb")
                .failOn(ScriptedXAResource.Verb.ROLLBACK, new XAException(XAException.XAER_RMERR));
        FakeConnection conn = new FakeConnection();
        assertThrows(XAException.class, () -> new EnlistedXAResource(db, conn).rollback(XID));
        assertEquals(List.of("setFlushOnly"), conn.events);
    }

    @Test
    void startTellsThePoolBeforeTheBranchStarts() throws Exception {
        ScriptedXAResource db = new ScriptedXAResource("db");
        FakeConnection conn = new FakeConnection();
        EnlistedXAResource r = new EnlistedXAResource(db, conn);
        r.start(XID, 0);
        r.end(XID, 0);
        assertEquals(javax.transaction.xa.XAResource.XA_OK, r.prepare(XID));
        r.commit(XID, false);
        assertEquals(List.of("transactionStart"), conn.events, "success keeps the connection poolable");
        assertEquals(List.of("start(db)", "end(db)", "prepare(db)", "commit(db, twoPhase)"), db.calls());
    }
}
