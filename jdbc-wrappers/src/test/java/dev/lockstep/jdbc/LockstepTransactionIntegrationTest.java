package dev.lockstep.jdbc;

import dev.lockstep.testkit.ScriptedXAResource;
import static dev.lockstep.jdbc.H2Pools.count;
import static dev.lockstep.jdbc.H2Pools.countOutside;
import static dev.lockstep.jdbc.H2Pools.insert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.Lockstep;
import io.agroal.api.AgroalDataSource;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pool/TM seam with H2 XA under Agroal and a real Lockstep. */
class LockstepTransactionIntegrationTest {

    @TempDir
    Path logDir;

    private Lockstep lockstep;
    private TransactionManager tm;
    private AgroalDataSource a;
    private AgroalDataSource b;

    @BeforeEach
    void start() throws Exception {
        lockstep = Lockstep.builder().nodeId("t").logDirectory(logDir).build();
        tm = lockstep.transactionManager();
        a = H2Pools.pool(lockstep, "db-a", 4);
        b = H2Pools.pool(lockstep, "db-b", 4);
    }

    @AfterEach
    void stop() throws Exception {
        if (tm.getTransaction() != null) {
            tm.rollback();
        }
        a.close();
        b.close();
        lockstep.close();
    }

    @Test
    void twoGetConnectionsInOneTransactionShareOneBranch() throws Exception {
        tm.begin();
        try (Connection c1 = a.getConnection(); Connection c2 = a.getConnection()) {
            insert(c1, 1);
            assertEquals(1, count(c2), "the second connection sees the first one's uncommitted row: same branch");
            assertEquals(1, a.getMetrics().activeCount(), "one physical connection for both");
        }
        tm.commit();
        assertEquals(1, countOutside(a));
        assertEquals(1, lockstep.metrics().committedOnePhase(), "one branch: one-phase commit");
    }

    @Test
    void commitAcrossTwoDataSourcesIsTwoPhaseAndVisible() throws Exception {
        long forcesBefore = lockstep.metrics().logForces();
        tm.begin();
        try (Connection ca = a.getConnection(); Connection cb = b.getConnection()) {
            insert(ca, 1);
            insert(cb, 2);
        }
        tm.commit();
        assertEquals(1, countOutside(a));
        assertEquals(1, countOutside(b));
        assertTrue(lockstep.metrics().logForces() > forcesBefore, "two branches: the COMMIT record was forced");
    }

    @Test
    void rollbackAcrossTwoDataSourcesHidesBoth() throws Exception {
        tm.begin();
        try (Connection ca = a.getConnection(); Connection cb = b.getConnection()) {
            insert(ca, 1);
            insert(cb, 2);
        }
        tm.rollback();
        assertEquals(0, countOutside(a));
        assertEquals(0, countOutside(b));
    }

    @Test
    void connectionClosedInsideTransactionReturnsOnlyAfterCompletion() throws Exception {
        tm.begin();
        Connection c = a.getConnection();
        insert(c, 1);
        c.close();
        assertEquals(1, a.getMetrics().activeCount(), "closed inside the transaction: still out of the pool");
        Connection again = a.getConnection();
        assertEquals(1, count(again), "the same connection is handed out again in the same transaction");
        again.close();
        tm.commit();
        assertEquals(0, a.getMetrics().activeCount(), "back in the pool after completion");
        assertEquals(1, countOutside(a));
    }

    @Test
    void poolIsIdleAfterManyTransactions() throws Exception {
        for (int i = 0; i < 20; i++) {
            tm.begin();
            try (Connection ca = a.getConnection(); Connection cb = b.getConnection()) {
                insert(ca, i);
                insert(cb, i);
            }
            if (i % 2 == 0) {
                tm.commit();
            } else {
                tm.rollback();
            }
        }
        assertEquals(0, a.getMetrics().activeCount());
        assertEquals(0, b.getMetrics().activeCount());
        assertTrue(a.getMetrics().availableCount() >= 1);
        assertEquals(10, countOutside(a));
        assertEquals(10, countOutside(b));
    }

    /**
     * Scenario: db-a (H2, an insert) and a scripted resource whose commit answers XA_HEURHAZ, so the transaction ends
     * with afterCompletion(STATUS_UNKNOWN); then the same with a plain commit and a rollback.
     * Expected: after the heuristic the enlisted connection is destroyed, not pooled again (it may still hold a
     * prepared branch); after a commit or a rollback it goes back to the pool.
     */
    @Test
    void aConnectionWhoseOutcomeIsUnknownIsDestroyedNotPooled() throws Exception {
        tm.begin();
        try (Connection c = a.getConnection()) {
            insert(c, 1);
        }
        tm.commit();
        tm.begin();
        try (Connection c = a.getConnection()) {
            insert(c, 2);
        }
        tm.rollback();
        assertEquals(0, a.getMetrics().flushCount(), "committed and rolled back: pooled again");
        long created = a.getMetrics().creationCount();

        tm.begin();
        ScriptedXAResource hazard = new ScriptedXAResource("hazard").failAlways(ScriptedXAResource.Verb.COMMIT,
                new javax.transaction.xa.XAException(javax.transaction.xa.XAException.XA_HEURHAZ));
        dev.lockstep.tm.spi.Enlistment.enlist(tm.getTransaction(), hazard, "hazard", false);
        try (Connection c = a.getConnection()) {
            insert(c, 3);
        }
        assertThrows(jakarta.transaction.HeuristicMixedException.class, tm::commit);
        assertEquals(1, a.getMetrics().flushCount(), "status UNKNOWN: the connection is flushed (destroyed)");
        assertEquals(0, a.getMetrics().activeCount());
        try (Connection c = a.getConnection()) {
            assertEquals(2, count(c), "rows 1 and 3 committed, 2 rolled back");
        }
        assertEquals(created + 1, a.getMetrics().creationCount(), "the next use opens a new connection");
    }

    @Test
    void useAfterTheTransactionEndedFails() throws Exception {
        tm.begin();
        Connection c = a.getConnection();
        insert(c, 1);
        tm.commit();
        assertThrows(SQLException.class, () -> insert(c, 2), "the connection was closed at completion");
        assertEquals(1, countOutside(a));
    }

    @Test
    void useOutsideItsTransactionFailsWithAClearMessage() throws Exception {
        tm.begin();
        Connection c = a.getConnection();
        insert(c, 1);
        Transaction tx = tm.suspend();
        SQLException e = assertThrows(SQLException.class, () -> insert(c, 2));
        assertTrue(e.getMessage().contains("LKS-416") && e.getMessage().contains("db-a")
                && e.getMessage().contains("only be used in that transaction"), e.getMessage());
        tm.resume(tx);
        tm.commit();
        assertEquals(1, countOutside(a));
    }

    @Test
    void connectionFromOutsideUsedInsideFailsWithAClearMessage() throws Exception {
        try (Connection c = a.getConnection()) {
            tm.begin();
            SQLException e = assertThrows(SQLException.class, () -> insert(c, 1));
            assertTrue(e.getMessage().contains("LKS-415") && e.getMessage().contains("after begin()"),
                    e.getMessage());
            tm.rollback();
        }
    }

    @Test
    void outsideATransactionConnectionsAutocommit() throws Exception {
        try (Connection c = a.getConnection()) {
            assertTrue(c.getAutoCommit());
            insert(c, 1);
        }
        assertEquals(1, countOutside(a));
        assertEquals(0, a.getMetrics().activeCount());
    }

    @Test
    void autocommitIsRestoredAfterATransaction() throws Exception {
        tm.begin();
        try (Connection c = a.getConnection()) {
            insert(c, 1);
        }
        tm.commit();
        try (Connection c = a.getConnection()) {
            assertTrue(c.getAutoCommit(), "the pooled connection is back in local autocommit mode");
            insert(c, 2);
        }
        assertEquals(2, countOutside(a));
    }

    @Test
    void rollbackOnlyTransactionRefusesNewConnectionsClearly() throws Exception {
        tm.begin();
        tm.setRollbackOnly();
        SQLException e = assertThrows(SQLException.class, () -> a.getConnection());
        assertTrue(e.getMessage().contains("LKS-406") && e.getMessage().contains("marked for rollback"),
                e.getMessage());
        tm.rollback();
        assertEquals(0, a.getMetrics().activeCount(), "the refused connection went back to the pool");
    }

    @Test
    void duplicateResourceNameIsRefusedClearly() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> H2Pools.pool(lockstep, "db-a", 2));
        assertTrue(e.getMessage().contains("LKS-403") && e.getMessage().contains("'db-a'")
                && e.getMessage().contains("unique resource name"), e.getMessage());
    }

    @Test
    void closingTheDataSourceUnregistersItsName() throws Exception {
        a.close();
        AgroalDataSource again = H2Pools.pool(lockstep, "db-a", 2);
        assertNotNull(again);
        again.close();
    }

    @Test
    void recoverableResourceOpensFreshConnections() throws Exception {
        LockstepTransactionIntegration integration = (LockstepTransactionIntegration) a.getConfiguration()
                .connectionPoolConfiguration().transactionIntegration();
        assertEquals("db-a", integration.recoverableResource().name());
        assertEquals(1, integration.recoveryFactories().size());
        var rc = integration.recoverableResource().connect();
        try {
            assertNotNull(rc.xaResource().recover(javax.transaction.xa.XAResource.TMSTARTRSCAN));
        } finally {
            rc.close();
        }
        assertEquals(0, a.getMetrics().activeCount(), "recovery connections are not taken from the pool");
        a.close();
        assertTrue(integration.recoveryFactories().isEmpty());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> integration.recoverableResource().connect());
        assertTrue(e.getMessage().contains("LKS-402"), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void failedStartCheckClosesThePoolAndFreesTheName() throws Exception {
        dev.lockstep.jdbc.vendor.XaVendor refusing = new dev.lockstep.jdbc.vendor.XaVendor() {
            @Override public String displayName() { return "Refusing"; }
            @Override public Class<? extends javax.sql.XADataSource> xaDataSourceClass() {
                return org.h2.jdbcx.JdbcDataSource.class;
            }
            @Override public void checkAtStart(Connection c, String url, int max) throws SQLException {
                throw new SQLException("server not ready: set x to " + max);
            }
        };
        SQLException e = assertThrows(SQLException.class, () -> LockstepDataSources.create(lockstep, "db-c", refusing,
                cfg -> cfg.connectionPoolConfiguration().maxSize(3).connectionFactoryConfiguration()
                        .jdbcUrl("jdbc:h2:mem:c;DB_CLOSE_DELAY=-1")));
        assertTrue(e.getMessage().contains("set x to 3"), e.getMessage());
        H2Pools.pool(lockstep, "db-c", 2).close();
    }
}
