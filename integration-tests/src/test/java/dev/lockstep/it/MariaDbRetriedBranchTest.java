package dev.lockstep.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.it.servers.DatabaseBranches;
import dev.lockstep.testkit.servers.MariaDbServer;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.testkit.TestXids;
import dev.lockstep.jdbc.JdbcRecoverableResource;
import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.jdbc.vendor.ForwardingXAResource;
import dev.lockstep.jdbc.vendor.MySqlVendor;
import dev.lockstep.jdbc.vendor.XaVendor;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.LockstepMetrics;
import dev.lockstep.tm.recovery.Recovery;
import dev.lockstep.tm.recovery.ScanReport;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration;
import jakarta.transaction.UserTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.XADataSource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A MariaDB branch whose first phase-two commit fails with {@code XAER_RMFAIL} is finished by Lockstep's background
 * retrier on a fresh connection, without a heuristic, whether or not the branch wrote anything (docs/xa-quirks.md,
 * "MariaDB: a branch without writes is not durable").
 *
 * <pre>
 * Scenario (each test):
 *   resources   orders-pg (LockstepDataSources.postgresql) and billing-maria (LockstepDataSources.create with the
 *               MySQL/MariaDB vendor, whose enlisted XAResource is decorated by this test), one Lockstep
 *   work        PostgreSQL: an UPDATE; MariaDB: only a SELECT, or an UPDATE
 *   fault       between prepare and the first commit(xid, false) of the MariaDB branch, its session is killed from
 *               another connection (KILL id): that commit fails with XAER_RMFAIL, the branch is retried in the
 *               background through the registered recoverable resource (MySqlRecoveryXAResource on a new
 *               connection)
 *   expected    commit() returns normally; the retrier finishes the branch (no branch pending); no heuristic in the
 *               metrics, in the log (a read-only recovery's inspect(), what the service's list shows) or as LKS-142
 *               in the log output; no branch left prepared; the PostgreSQL update (and the MariaDB update) committed
 *   before the fix, the read-only case: the retry's commit answered XA_RBROLLBACK (MariaDB rolled the write-less
 *               branch back when its session ended) and Lockstep recorded a heuristic rollback for it
 * </pre>
 */
class MariaDbRetriedBranchTest {

    private static final String NODE = "it-maria-retry";
    private static final Duration SETTLE = Duration.ofSeconds(20);

    private Lockstep lockstep;
    private AgroalDataSource pg;
    private AgroalDataSource maria;
    private KillingVendor vendor;
    private Path logDir;
    private LogCapture log;

    @BeforeEach
    void start() throws Exception {
        log = LogCapture.install();
        logDir = Files.createTempDirectory(Path.of("target"), "lockstep-log-").toAbsolutePath();
        lockstep = Lockstep.builder().nodeId(NODE).logDirectory(logDir)
                .retryInitialDelay(Duration.ofMillis(50)).retryMaxDelay(Duration.ofMillis(400)).build();
        pg = LockstepDataSources.postgresql(lockstep, "orders-pg", Servers.postgres().jdbcUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD, 4);
        vendor = new KillingVendor(Servers.mariadb().jdbcUrl());
        maria = LockstepDataSources.create(lockstep, "billing-maria", vendor, cfg -> cfg.connectionPoolConfiguration()
                .maxSize(4).connectionFactoryConfiguration().jdbcUrl(Servers.mariadb().jdbcUrl())
                .principal(new io.agroal.api.security.NamePrincipal(MariaDbServer.USER))
                .credential(new io.agroal.api.security.SimplePassword(MariaDbServer.PASSWORD)));
        Resources.exec(pg, "CREATE TABLE IF NOT EXISTS retried (id INT PRIMARY KEY, v INT)", "DELETE FROM retried",
                "INSERT INTO retried VALUES (1, 0)");
        Resources.exec(maria, "CREATE TABLE IF NOT EXISTS retried (id INT PRIMARY KEY, v INT) ENGINE=InnoDB",
                "DELETE FROM retried", "INSERT INTO retried VALUES (1, 0)");
    }

    @AfterEach
    void stop() {
        log.close();
        maria.close();
        pg.close();
        lockstep.close();
    }

    @Test
    void aReadOnlyMariaDbBranchRetriedAfterRmfailIsNoHeuristic() throws Exception {
        runWithKilledMariaDbSession(false);
        assertEquals(0, Resources.queryLong(maria, "SELECT v FROM retried WHERE id = 1"));
    }

    @Test
    void aWritingMariaDbBranchRetriedAfterRmfailCommits() throws Exception {
        runWithKilledMariaDbSession(true);
        assertEquals(1, Resources.queryLong(maria, "SELECT v FROM retried WHERE id = 1"),
                "the prepared MariaDB branch survived its session's death and was committed by the retry");
    }

    /**
     * The server's side of the quirk, without Lockstep's coordinator.
     *
     * <pre>
     * Scenario: a branch that only SELECTs is prepared on a plain Connector/J XA connection, which is then closed;
     *           a recovery connection of the MySQL/MariaDB vendor (MySqlRecoveryXAResource) commits it
     * Expected: XA RECOVER still lists the branch after its session ended; the driver alone answers XA_RBROLLBACK,
     *           the recovery connection XAER_NOTA (LKS-423); afterwards XA RECOVER no longer lists it
     * </pre>
     */
    @Test
    void aClosedSessionsBranchWithoutWritesIsListedAndItsCommitAnswersNotFound() throws Exception {
        var ds = new com.mysql.cj.jdbc.MysqlXADataSource();
        ds.setUrl(Servers.mariadb().jdbcUrl());
        Xid driverXid = readOnlyBranchOfAClosedSession(ds, "d");
        Xid vendorXid = readOnlyBranchOfAClosedSession(ds, "v");
        var recovery = ds.getXAConnection(MariaDbServer.USER, MariaDbServer.PASSWORD);
        try {
            XAResource raw = recovery.getXAResource();
            assertTrue(TestXids.listedBy(raw, driverXid) && TestXids.listedBy(raw, vendorXid),
                    "MariaDB keeps listing a write-less branch after its session ended");
            XAException plain = org.junit.jupiter.api.Assertions.assertThrows(XAException.class,
                    () -> raw.commit(driverXid, false));
            assertEquals(XAException.XA_RBROLLBACK, plain.errorCode, "the driver alone: " + plain.getMessage());

            XAResource vendor = MySqlVendor.INSTANCE.forRecovery(raw, "billing-maria");
            XAException translated = org.junit.jupiter.api.Assertions.assertThrows(XAException.class,
                    () -> vendor.commit(vendorXid, false));
            assertEquals(XAException.XAER_NOTA, translated.errorCode, translated.getMessage());
            assertTrue(translated.getMessage().startsWith("LKS-423"), translated.getMessage());
            assertTrue(!TestXids.listedBy(raw, driverXid) && !TestXids.listedBy(raw, vendorXid),
                    "both branches are gone");
        } finally {
            recovery.close();
        }
    }

    private static Xid readOnlyBranchOfAClosedSession(com.mysql.cj.jdbc.MysqlXADataSource ds, String bqual)
            throws Exception {
        Xid xid = TestXids.newXid(bqual);
        var xc = ds.getXAConnection(MariaDbServer.USER, MariaDbServer.PASSWORD);
        try (Connection c = xc.getConnection(); Statement s = c.createStatement()) {
            XAResource xa = xc.getXAResource();
            xa.start(xid, XAResource.TMNOFLAGS);
            try (ResultSet rs = s.executeQuery("SELECT v FROM retried WHERE id = 1")) {
                assertTrue(rs.next());
            }
            xa.end(xid, XAResource.TMSUCCESS);
            assertEquals(XAResource.XA_OK, xa.prepare(xid), "MariaDB never votes XA_RDONLY");
        } finally {
            xc.close();
        }
        return xid;
    }

    private void runWithKilledMariaDbSession(boolean mariaWrites) throws Exception {
        UserTransaction ut = lockstep.userTransaction();
        ut.begin();
        try (Connection c = pg.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE retried SET v = v + 1 WHERE id = 1");
        }
        try (Connection c = maria.getConnection(); Statement s = c.createStatement()) {
            if (mariaWrites) {
                s.executeUpdate("UPDATE retried SET v = v + 1 WHERE id = 1");
            } else {
                try (ResultSet rs = s.executeQuery("SELECT v FROM retried WHERE id = 1")) {
                    assertTrue(rs.next());
                }
            }
        }
        ut.commit(); // the MariaDB commit fails with XAER_RMFAIL: retried in the background, the decision stands

        assertEquals(1, vendor.kills.get(), "the MariaDB session was killed before its first commit");
        LockstepMetrics m = awaitNoPendingBranch();
        assertTrue(m.phaseTwoRetries() >= 1, "the branch went through the retrier: " + m);
        assertEquals(0, m.heuristic(), "no heuristic in the metrics: " + m + "\n" + logLines());
        assertTrue(logLines().stream().noneMatch(l -> l.contains("LKS-142")), "no heuristic logged:\n" + logLines());
        assertTrue(logLines().stream().anyMatch(l -> l.contains("LKS-141")), "the retry finished it:\n" + logLines());

        ScanReport listed = inspectLog();
        assertTrue(listed.clean(), "the log holds no open decision or heuristic (what list shows): " + listed);
        assertEquals(List.of(), DatabaseBranches.inDoubt(NODE), "nothing left prepared");
        assertEquals(1, Resources.queryLong(pg, "SELECT v FROM retried WHERE id = 1"), "PostgreSQL committed");
    }

    private LockstepMetrics awaitNoPendingBranch() throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (true) {
            LockstepMetrics m = lockstep.metrics();
            if (m.pendingBranches() == 0) {
                return m;
            }
            if (System.nanoTime() > deadline) {
                fail("the retrier did not finish the MariaDB branch within " + SETTLE + ": " + m + "\n" + logLines());
            }
            Thread.sleep(20);
        }
    }

    /** What the recovery service's {@code list} reads: every resource's recover() and the log, nothing changed. */
    private ScanReport inspectLog() throws SQLException {
        try (Recovery recovery = Recovery.builder().logDirectory(logDir).nodeId(NODE).readOnly(true)
                .resource(JdbcRecoverableResource.postgresql("orders-pg", Servers.postgres().jdbcUrl(),
                        PostgresServer.USER, PostgresServer.PASSWORD))
                .resource(JdbcRecoverableResource.mysql("billing-maria", Servers.mariadb().jdbcUrl(),
                        MariaDbServer.USER, MariaDbServer.PASSWORD))
                .build()) {
            return recovery.inspect();
        }
    }

    private List<String> logLines() {
        return log.lines();
    }

    /**
     * The MySQL/MariaDB vendor, except that the first phase-two commit of an enlisted branch is preceded by a
     * {@code KILL} of the branch's session from another connection, so the driver's commit fails with
     * {@code XAER_RMFAIL} (the server closes the connection) as after a network failure.
     */
    private static final class KillingVendor implements XaVendor {
        private final String url;
        final AtomicInteger kills = new AtomicInteger();

        KillingVendor(String url) {
            this.url = url;
        }

        @Override
        public String displayName() {
            return MySqlVendor.INSTANCE.displayName();
        }

        @Override
        public Class<? extends XADataSource> xaDataSourceClass() {
            return MySqlVendor.INSTANCE.xaDataSourceClass();
        }

        @Override
        public AgroalConnectionPoolConfiguration.ExceptionSorter exceptionSorter() {
            return MySqlVendor.INSTANCE.exceptionSorter();
        }

        @Override
        public XAResource enlisted(XAResource raw, Connection connection) {
            XAResource vendorResource = MySqlVendor.INSTANCE.enlisted(raw, connection);
            return new ForwardingXAResource(vendorResource) {
                @Override
                public void commit(Xid xid, boolean onePhase) throws XAException {
                    if (!onePhase && kills.get() == 0) {
                        killSession(connection);
                    }
                    super.commit(xid, onePhase);
                }
            };
        }

        @Override
        public XAResource forRecovery(XAResource raw, String resourceName) {
            return MySqlVendor.INSTANCE.forRecovery(raw, resourceName);
        }

        @Override
        public void checkAtStart(Connection connection, String jdbcUrl, int poolMaxSize) throws SQLException {
            MySqlVendor.INSTANCE.checkAtStart(connection, jdbcUrl, poolMaxSize);
        }

        private void killSession(Connection connection) {
            try (Connection admin = DriverManager.getConnection(url, MariaDbServer.USER, MariaDbServer.PASSWORD);
                 Statement s = admin.createStatement()) {
                long id = connection.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).getId();
                s.execute("KILL " + id);
                kills.incrementAndGet();
                // KILL returns before the session has ended: wait until the server no longer lists it, so the
                // branch is detached from it (prepared branches outlive their session) when the commit comes.
                for (int i = 0; i < 500; i++) {
                    try (ResultSet rs = s.executeQuery(
                            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + id)) {
                        rs.next();
                        if (rs.getLong(1) == 0) {
                            return;
                        }
                    }
                    Thread.sleep(10);
                }
                throw new IllegalStateException("MariaDB session " + id + " still listed 5 s after KILL");
            } catch (SQLException | InterruptedException e) {
                throw new IllegalStateException("could not kill the MariaDB session of the branch: " + e, e);
            }
        }
    }
}
