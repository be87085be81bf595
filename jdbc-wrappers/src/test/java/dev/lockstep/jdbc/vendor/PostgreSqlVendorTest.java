package dev.lockstep.jdbc.vendor;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.spi.Enlistment;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PostgreSQL's quirks without a server: the failed-branch vote and the max_prepared_transactions check. */
class PostgreSqlVendorTest {

    private static final Xid XID = new Xid() {
        @Override public int getFormatId() { return 1; }
        @Override public byte[] getGlobalTransactionId() { return new byte[] {1}; }
        @Override public byte[] getBranchQualifier() { return new byte[] {1}; }
    };

    @TempDir
    Path logDir;

    @Test
    void abortedBranchIsRolledBackAndVotesRollbackAtPrepare() {
        ScriptedXAResource pg = new ScriptedXAResource("pg");
        PostgreSqlFailedBranchVeto veto = new PostgreSqlFailedBranchVeto(pg, () -> true);
        XAException e = assertThrows(XAException.class, () -> veto.prepare(XID));
        assertEquals(XAException.XA_RBROLLBACK, e.errorCode);
        assertTrue(e.getMessage().contains("LKS-410") && e.getMessage().contains("statement in it failed"),
                e.getMessage());
        assertEquals(List.of("rollback(pg)"), pg.events().all(), "rolled back, never prepared");
    }

    @Test
    void healthyBranchPreparesAndCommitsNormally() throws Exception {
        ScriptedXAResource pg = new ScriptedXAResource("pg");
        PostgreSqlFailedBranchVeto veto = new PostgreSqlFailedBranchVeto(pg, () -> false);
        assertEquals(javax.transaction.xa.XAResource.XA_OK, veto.prepare(XID));
        veto.commit(XID, false);
        assertEquals(List.of("prepare(pg)", "commit(pg)"), pg.events().all());
    }

    @Test
    void abortedBranchVotesRollbackAtOnePhaseCommit() {
        ScriptedXAResource pg = new ScriptedXAResource("pg");
        PostgreSqlFailedBranchVeto veto = new PostgreSqlFailedBranchVeto(pg, () -> true);
        XAException e = assertThrows(XAException.class, () -> veto.commit(XID, true));
        assertEquals(XAException.XA_RBROLLBACK, e.errorCode);
        assertEquals(List.of("rollback(pg)"), pg.events().all());
    }

    @Test
    void unreadableStateLeavesTheVerdictToTheDriver() throws Exception {
        ScriptedXAResource pg = new ScriptedXAResource("pg");
        PostgreSqlFailedBranchVeto veto = new PostgreSqlFailedBranchVeto(pg, () -> {
            throw new SQLException("connection broken");
        });
        assertEquals(javax.transaction.xa.XAResource.XA_OK, veto.prepare(XID));
        assertEquals(List.of("prepare(pg)"), pg.events().all());
    }

    @Test
    void lockstepRollsTheWholeTransactionBackWhenAStatementFailed() throws Exception {
        try (Lockstep lockstep = Lockstep.builder().nodeId("t").logDirectory(logDir).build()) {
            TransactionManager tm = lockstep.transactionManager();
            ScriptedXAResource pg = new ScriptedXAResource("pg");
            ScriptedXAResource other = new ScriptedXAResource("other");
            AtomicBoolean statementFailed = new AtomicBoolean();
            tm.begin();
            Enlistment.enlist(tm.getTransaction(), new PostgreSqlFailedBranchVeto(pg, statementFailed::get),
                    "orders-db", false);
            Enlistment.enlist(tm.getTransaction(), other, "billing-db", false);
            statementFailed.set(true);   // a statement of the PostgreSQL branch failed; the application commits anyway
            assertThrows(RollbackException.class, tm::commit);
            assertTrue(pg.events().all().contains("rollback(pg)"), pg.events().all().toString());
            assertTrue(!pg.events().all().contains("prepare(pg)") && !pg.events().all().toString().contains("commit"),
                    pg.events().all().toString());
            assertTrue(other.events().all().contains("rollback(other)")
                    && !other.events().all().toString().contains("commit"), other.events().all().toString());
        }
    }

    @Test
    void zeroPreparedTransactionsIsRefusedNamingTheSetting() {
        SQLException e = assertThrows(SQLException.class,
                () -> PostgreSqlVendor.requireEnoughPreparedTransactions("jdbc:postgresql://h/orders", 0, 10));
        assertTrue(e.getMessage().contains("PostgreSQL at jdbc:postgresql://h/orders has max_prepared_transactions = 0")
                && e.getMessage().contains("set max_prepared_transactions to at least 10")
                && e.getMessage().contains("postgresql.conf") && e.getMessage().contains("restart"), e.getMessage());
    }

    @Test
    void fewerPreparedTransactionsThanThePoolIsRefused() {
        SQLException e = assertThrows(SQLException.class,
                () -> PostgreSqlVendor.requireEnoughPreparedTransactions("jdbc:postgresql://h/db", 5, 20));
        assertTrue(e.getMessage().contains("= 5") && e.getMessage().contains("at least 20"), e.getMessage());
        assertDoesNotThrow(() -> PostgreSqlVendor.requireEnoughPreparedTransactions("jdbc:postgresql://h/db", 20, 20));
        assertDoesNotThrow(() -> PostgreSqlVendor.requireEnoughPreparedTransactions("jdbc:postgresql://h/db", 100, 10));
    }

    @Test
    void startCheckRunsShowMaxPreparedTransactions() {
        List<String> sql = new java.util.ArrayList<>();
        Connection c = fakeConnection(sql, "0");
        SQLException e = assertThrows(SQLException.class,
                () -> PostgreSqlVendor.INSTANCE.checkAtStart(c, "jdbc:postgresql://h/db", 10));
        assertEquals(List.of("SHOW max_prepared_transactions"), sql);
        assertTrue(e.getMessage().contains("LKS-412"), e.getMessage());
        assertDoesNotThrow(() -> PostgreSqlVendor.INSTANCE.checkAtStart(fakeConnection(sql, "100"), "u", 10));
    }

    /** A JDBC connection whose only query answers {@code value}. */
    private static Connection fakeConnection(List<String> sql, String value) {
        ResultSet rs = proxy(ResultSet.class, (m, args) -> switch (m) {
            case "next" -> true;
            case "getString" -> value;
            default -> null;
        });
        Statement st = proxy(Statement.class, (m, args) -> {
            if (m.equals("executeQuery")) {
                sql.add((String) args[0]);
                return rs;
            }
            return null;
        });
        return proxy(Connection.class, (m, args) -> m.equals("createStatement") ? st : null);
    }

    private interface Answer {
        Object answer(String method, Object[] args);
    }

    private static <T> T proxy(Class<T> type, Answer answer) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (p, m, args) -> answer.answer(m.getName(), args)));
    }
}
