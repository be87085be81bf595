package dev.lockstep.jdbc.vendor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.testkit.XaCodeNames;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.spi.Enlistment;
import dev.lockstep.tm.spi.LockstepXids;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.SQLException;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MySQL/MariaDB quirks without a server: the recovery filter, the privilege message, no pinning. */
class MySqlVendorTest {

    @TempDir
    Path logDir;

    private static Xid foreign(int formatId) {
        return new Xid() {
            @Override public int getFormatId() { return formatId; }
            @Override public byte[] getGlobalTransactionId() { return new byte[] {9, 9}; }
            @Override public byte[] getBranchQualifier() { return new byte[] {1}; }
        };
    }

    /** A real Lockstep branch Xid, taken from a branch start. */
    private Xid lockstepXid() throws Exception {
        try (Lockstep lockstep = Lockstep.builder().nodeId("t").logDirectory(logDir).build()) {
            TransactionManager tm = lockstep.transactionManager();
            ScriptedXAResource r = new ScriptedXAResource("r");
            tm.begin();
            Enlistment.enlist(tm.getTransaction(), r, "r", false);
            tm.rollback();
            return r.startedXids().get(0);
        }
    }

    @Test
    void recoverReturnsOnlyLockstepXidsOfTheServerWideList() throws Exception {
        Xid ours = lockstepXid();
        assertTrue(LockstepXids.isLockstep(ours));
        ScriptedXAResource server = new ScriptedXAResource("mariadb").recoverable(foreign(4660), ours, foreign(0));
        XAResource recovery = MySqlVendor.INSTANCE.forRecovery(server, "billing-db");
        assertArrayEquals(new Xid[] {ours}, recovery.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN));
    }

    @Test
    void refusedXaRecoverSaysWhichPrivilegeToGrant() {
        XAException driver = new XAException("Undetermined error occurred in the underlying Connection");
        driver.initCause(new SQLException("Access denied; you need (at least one of) the XA_RECOVER_ADMIN "
                + "privilege(s) for this operation", "42000", 1227));
        ScriptedXAResource server = new ScriptedXAResource("mysql")
                .failAlways(ScriptedXAResource.Verb.RECOVER, driver);
        XAResource recovery = MySqlVendor.INSTANCE.forRecovery(server, "billing-db");
        XAException e = assertThrows(XAException.class, () -> recovery.recover(XAResource.TMSTARTRSCAN));
        assertEquals(XAException.XAER_RMERR, e.errorCode);
        assertTrue(e.getMessage().contains("LKS-413") && e.getMessage().contains("'billing-db'")
                && e.getMessage().contains("GRANT XA_RECOVER_ADMIN ON *.* TO"), e.getMessage());
        assertSame(driver, e.getCause());
    }

    @Test
    void otherRecoverFailuresPassUnchanged() {
        XAException driver = new XAException(XAException.XAER_RMFAIL);
        ScriptedXAResource server = new ScriptedXAResource("mysql")
                .failAlways(ScriptedXAResource.Verb.RECOVER, driver);
        XAResource recovery = MySqlVendor.INSTANCE.forRecovery(server, "billing-db");
        assertSame(driver, assertThrows(XAException.class, () -> recovery.recover(XAResource.TMSTARTRSCAN)));
    }

    @Test
    void phaseTwoCallsOfARecoveryConnectionAreNotFiltered() throws Exception {
        ScriptedXAResource server = new ScriptedXAResource("mariadb");
        XAResource recovery = MySqlVendor.INSTANCE.forRecovery(server, "billing-db");
        Xid x = foreign(1);
        recovery.commit(x, false);
        recovery.rollback(x);
        assertEquals(java.util.List.of("commit(mariadb)", "rollback(mariadb)"), server.events().all());
    }

    /**
     * Scenario: a recovery connection's two-phase commit is answered XA_RBROLLBACK (MariaDB, for a branch without
     * writes whose preparing session ended), and XA RECOVER no longer lists the branch.
     * Expected: XAER_NOTA with LKS-423 and the driver's exception as cause, after one recover() call.
     */
    @Test
    void rolledBackBranchWithoutWritesIsReportedAsNotFound() throws Exception {
        Xid x = lockstepXid();
        XAException driver = new XAException("XA_RBROLLBACK: Transaction branch was rolled back");
        driver.errorCode = XAException.XA_RBROLLBACK;
        ScriptedXAResource server = new ScriptedXAResource("mariadb")
                .failAlways(ScriptedXAResource.Verb.COMMIT, driver)
                .recoverable(foreign(4660));
        XAResource recovery = MySqlVendor.INSTANCE.forRecovery(server, "billing-db");
        XAException e = assertThrows(XAException.class, () -> recovery.commit(x, false));
        assertEquals(XAException.XAER_NOTA, e.errorCode);
        assertTrue(e.getMessage().contains("LKS-423") && e.getMessage().contains("'billing-db'")
                && e.getMessage().contains("had no writes"), e.getMessage());
        assertSame(driver, e.getCause());
        assertEquals(java.util.List.of("commit(mariadb)!XA_RBROLLBACK", "recover(mariadb)"), server.events().all());
    }

    /**
     * Scenario: XA_RBROLLBACK to a two-phase commit while XA RECOVER still lists the branch, or while XA RECOVER
     * fails, or to a one-phase commit.
     * Expected: the driver's exception unchanged (the server's answer is all there is to go on).
     */
    @Test
    void rolledBackAnswerStandsWhenTheBranchIsListedOrCannotBeChecked() throws Exception {
        Xid x = lockstepXid();
        XAException driver = new XAException(XAException.XA_RBROLLBACK);
        XAResource listed = MySqlVendor.INSTANCE.forRecovery(new ScriptedXAResource("mariadb")
                .failAlways(ScriptedXAResource.Verb.COMMIT, driver).recoverable(x), "billing-db");
        assertSame(driver, assertThrows(XAException.class, () -> listed.commit(x, false)));

        XAResource unreadable = MySqlVendor.INSTANCE.forRecovery(new ScriptedXAResource("mariadb")
                .failAlways(ScriptedXAResource.Verb.COMMIT, driver)
                .failAlways(ScriptedXAResource.Verb.RECOVER, new XAException(XAException.XAER_RMFAIL)), "billing-db");
        assertSame(driver, assertThrows(XAException.class, () -> unreadable.commit(x, false)));

        ScriptedXAResource onePhaseServer = new ScriptedXAResource("mariadb")
                .failAlways(ScriptedXAResource.Verb.COMMIT, driver);
        XAResource onePhase = MySqlVendor.INSTANCE.forRecovery(onePhaseServer, "billing-db");
        assertSame(driver, assertThrows(XAException.class, () -> onePhase.commit(x, true)));
        assertEquals(java.util.List.of("commit1p(mariadb)!XA_RBROLLBACK"), onePhaseServer.events().all());
    }

    /** Scenario: other commit failures (RMFAIL, NOTA, HEURRB). Expected: unchanged, recover() not called. */
    @Test
    void otherCommitFailuresPassUnchanged() throws Exception {
        Xid x = lockstepXid();
        for (int code : new int[] {XAException.XAER_RMFAIL, XAException.XAER_NOTA, XAException.XA_HEURRB}) {
            XAException driver = new XAException(code);
            ScriptedXAResource server = new ScriptedXAResource("mariadb")
                    .failAlways(ScriptedXAResource.Verb.COMMIT, driver);
            XAResource recovery = MySqlVendor.INSTANCE.forRecovery(server, "billing-db");
            assertSame(driver, assertThrows(XAException.class, () -> recovery.commit(x, false)));
            assertEquals(java.util.List.of("commit(mariadb)!" + XaCodeNames.name(code)),
                    server.events().all());
        }
    }

    @Test
    void pinningTheGlobalTransactionIsRefused() {
        SQLException e = assertThrows(SQLException.class, () -> MySqlVendor.requireNoPinning(
                "jdbc:mysql://h:3306/b?pinGlobalTxToPhysicalConnection=true"));
        assertTrue(e.getMessage().contains("LKS-414") && e.getMessage().contains("remove it"), e.getMessage());
        assertDoesNotThrow(() -> MySqlVendor.requireNoPinning("jdbc:mysql://h:3306/b"));
    }

    @Test
    void driverClassesResolve() {
        assertEquals("com.mysql.cj.jdbc.MysqlXADataSource", MySqlVendor.INSTANCE.xaDataSourceClass().getName());
        assertEquals("org.postgresql.xa.PGXADataSource", PostgreSqlVendor.INSTANCE.xaDataSourceClass().getName());
    }

    @Test
    void missingDriverNamesTheDependency() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> XaVendor.loadXaDataSource("com.example.NoSuchXADataSource", "Example", "com.example:driver"));
        assertTrue(e.getMessage().contains("LKS-420") && e.getMessage().contains("com.example:driver"),
                e.getMessage());
    }
}
