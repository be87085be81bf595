package dev.lockstep.it.spring;

import static dev.lockstep.it.spring.PlainClients.drain;
import static dev.lockstep.it.spring.PlainClients.mariaIds;
import static dev.lockstep.it.spring.PlainClients.pgIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.servers.MariaDbServer;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.jms.LockstepConnectionFactory;
import dev.lockstep.spring.boot.LockstepRecovery;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.ScanReport;
import dev.lockstep.tm.spi.NamedXAResource;
import io.agroal.api.AgroalDataSource;
import jakarta.transaction.Transaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import javax.sql.XAConnection;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.jta.JtaTransactionManager;

/**
 * A Spring Boot application on the starter, configured from properties alone, with a {@code @Transactional} service
 * that writes to PostgreSQL and MariaDB and sends to Artemis through Boot's own JdbcTemplate and JmsTemplate.
 *
 * <p>Before it starts, a first incarnation of the same node dies with a COMMIT decision whose PostgreSQL branch is
 * still prepared (its commit answered XAER_RMFAIL): the application's scheduled in-process recovery must finish it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpringBootStarterTest {

    private static final String NODE = "it-boot";
    private static final String LOGGING_SYSTEM = "org.springframework.boot.logging.LoggingSystem";

    private static Path logs;
    private static ConfigurableApplicationContext app;

    /** The whole application: Boot's auto-configuration and one service. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(TransferService.class)
    static class TransferApplication {
    }

    /** Writes one transfer to the three resources in one transaction; may fail after the three writes. */
    public static class TransferService {
        private final JdbcTemplate orders;
        private final JdbcTemplate billing;
        private final JmsTemplate events;

        /** {@code orders}: Boot's JdbcTemplate, on the @Primary DataSource; billing by its name. */
        public TransferService(JdbcTemplate orders, @Qualifier("billing") DataSource billing, JmsTemplate events) {
            this.orders = orders;
            this.billing = new JdbcTemplate(billing);
            this.events = events;
        }

        @Transactional
        public void transfer(String id, String queue, boolean failAfterTheWrites) {
            orders.update("INSERT INTO boot_orders (id) VALUES (?)", id);
            billing.update("INSERT INTO boot_billing (id) VALUES (?)", id);
            events.convertAndSend(queue, id);
            if (failAfterTheWrites) {
                throw new IllegalStateException("transfer " + id + " fails after its three writes");
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        PlainClients.pgExec("CREATE TABLE IF NOT EXISTS boot_orders (id VARCHAR(64) PRIMARY KEY)",
                "DELETE FROM boot_orders");
        PlainClients.mariaExec("CREATE TABLE IF NOT EXISTS boot_billing (id VARCHAR(64) PRIMARY KEY) ENGINE=InnoDB",
                "DELETE FROM boot_billing");
        logs = Files.createTempDirectory(Path.of("target"), "spring-boot-log-").toAbsolutePath();
        leaveACommitDecisionWithAPreparedBranch();

        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("lockstep.node-id", NODE);
        properties.put("lockstep.log-directory", logs.toString());
        properties.put("lockstep.default-timeout", "30s");
        properties.put("lockstep.log-segment-size", "1MB");
        properties.put("lockstep.datasources.orders.url", Servers.postgres().jdbcUrl());
        properties.put("lockstep.datasources.orders.username", PostgresServer.USER);
        properties.put("lockstep.datasources.orders.password", PostgresServer.PASSWORD);
        properties.put("lockstep.datasources.orders.pool-size", "4");
        properties.put("lockstep.datasources.orders.primary", "true");
        properties.put("lockstep.datasources.billing.url", Servers.mariadb().jdbcUrl());
        properties.put("lockstep.datasources.billing.username", MariaDbServer.USER);
        properties.put("lockstep.datasources.billing.password", MariaDbServer.PASSWORD);
        properties.put("lockstep.datasources.billing.pool-size", "4");
        properties.put("lockstep.jms.events.broker-url", Servers.artemis().brokerUrl());
        properties.put("lockstep.recovery.interval", "2s");
        properties.put("spring.main.banner-mode", "off");
        // Boot would otherwise install its java.util.logging setup for the whole test JVM.
        System.setProperty(LOGGING_SYSTEM, "none");
        app = new SpringApplicationBuilder(TransferApplication.class).properties(properties).run();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        System.clearProperty(LOGGING_SYSTEM);
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertEquals(List.of(), PlainClients.branchesInDoubt(NODE), "no branch of ours may stay prepared");
    }

    /**
     * A first incarnation of node {@value #NODE} decides COMMIT for a transaction over PostgreSQL ("orders") and
     * MariaDB ("billing"); PostgreSQL's commit answers XAER_RMFAIL, so its branch stays prepared; then that incarnation
     * closes (as a process would die) with the decision open in its log.
     */
    private static void leaveACommitDecisionWithAPreparedBranch() throws Exception {
        var pgXa = new org.postgresql.xa.PGXADataSource();
        pgXa.setUrl(Servers.postgres().jdbcUrl());
        var myXa = new com.mysql.cj.jdbc.MysqlXADataSource();
        myXa.setUrl(Servers.mariadb().jdbcUrl());
        try (Lockstep first = Lockstep.builder().nodeId(NODE).logDirectory(logs).logSegmentBytes(1 << 20).build()) {
            XAConnection pc = pgXa.getXAConnection(PostgresServer.USER, PostgresServer.PASSWORD);
            XAConnection mc = myXa.getXAConnection(MariaDbServer.USER, MariaDbServer.PASSWORD);
            try {
                first.userTransaction().begin();
                Transaction t = first.transactionManager().getTransaction();
                t.enlistResource(NamedXAResource.wrap("orders", new CommitUnreachable(pc.getXAResource())));
                t.enlistResource(NamedXAResource.wrap("billing", mc.getXAResource()));
                insert(pc.getConnection(), "boot_orders", "orphan");
                insert(mc.getConnection(), "boot_billing", "orphan");
                first.userTransaction().commit();   // the decision is durable; orders is left for later
            } finally {
                pc.close();
                mc.close();
            }
        }
        assertEquals(List.of("orphan"), mariaIds("boot_billing"), "billing committed in phase two");
        assertEquals(List.of(), pgIds("boot_orders"), "orders not yet");
        assertEquals(1, PlainClients.branchesInDoubt(NODE).size(), "the orders branch is prepared");
    }

    private static void insert(java.sql.Connection c, String table, String id) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO " + table + " (id) VALUES ('" + id + "')");
        }
    }

    @Test
    @Order(1)
    void inProcessRecoveryFinishesWhatTheDeadIncarnationLeftAndThenScansClean() throws Exception {
        LockstepRecovery recovery = app.getBean(LockstepRecovery.class);
        assertEquals(List.of("orders", "billing", "events"), recovery.resourceNames());
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (recovery.scanCount() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        ScanReport first = recovery.lastReport().orElseThrow(() -> new AssertionError("no scan ran"));
        assertTrue(first.actions().stream().anyMatch(a -> a.kind() == RecoveryAction.Kind.COMMIT && a.ok()
                && "orders".equals(a.resource())), () -> "the orders branch committed: " + first.actions());
        assertTrue(first.clean(), () -> "clean after finishing it: " + first);
        assertEquals(List.of("orphan"), pgIds("boot_orders"), "the decided transaction is committed everywhere");
        assertEquals(List.of("orphan"), mariaIds("boot_billing"));
        PlainClients.pgExec("DELETE FROM boot_orders");
        PlainClients.mariaExec("DELETE FROM boot_billing");
        // Later scans run on the schedule (2 s) and find nothing.
        long scans = recovery.scanCount();
        while (recovery.scanCount() == scans && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(recovery.scanCount() > scans, "scheduled scans go on");
        assertTrue(recovery.lastReport().orElseThrow().actions().stream()
                .noneMatch(a -> a.kind() == RecoveryAction.Kind.COMMIT || a.kind() == RecoveryAction.Kind.ROLLBACK));
    }

    @Test
    @Order(2)
    void bootsOwnAutoConfigurationsBuildOnTheStartersBeans() {
        assertEquals(1, app.getBeanNamesForType(PlatformTransactionManager.class).length, "one transaction manager");
        JtaTransactionManager tm = app.getBean(JtaTransactionManager.class);
        Lockstep lockstep = app.getBean(Lockstep.class);
        assertSame(lockstep.transactionManager(), tm.getTransactionManager());
        assertSame(app.getBean("orders"), app.getBean(JdbcTemplate.class).getDataSource(),
                "Boot's JdbcTemplate uses the @Primary DataSource");
        assertInstanceOf(AgroalDataSource.class, app.getBean("billing"));
        assertSame(app.getBean("events"), app.getBean(JmsTemplate.class).getConnectionFactory(),
                "Boot's JmsTemplate uses the Lockstep factory");
        assertTrue(Set.of(app.getBeanFactory().getDependentBeans("lockstep")).containsAll(
                Set.of("orders", "billing", "events")), "the pools are closed before Lockstep");
    }

    @Test
    @Order(3)
    void aTransferCommitsInAllThree() throws Exception {
        String queue = "boot-" + UUID.randomUUID();
        app.getBean(TransferService.class).transfer("t-commit", queue, false);
        assertEquals(List.of("t-commit"), pgIds("boot_orders"));
        assertEquals(List.of("t-commit"), mariaIds("boot_billing"));
        assertEquals(List.of("t-commit"), drain(queue, 2000));
    }

    @Test
    @Order(4)
    void anExceptionAfterTheThreeWritesLeavesNothingAnywhere() throws Exception {
        String queue = "boot-" + UUID.randomUUID();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> app.getBean(TransferService.class).transfer("t-rollback", queue, true));
        assertTrue(e.getMessage().contains("fails after its three writes"), e.getMessage());
        assertFalse(pgIds("boot_orders").contains("t-rollback"), "PostgreSQL rolled back");
        assertFalse(mariaIds("boot_billing").contains("t-rollback"), "MariaDB rolled back");
        assertEquals(List.of(), drain(queue, 500), "no message");
    }

    @Test
    @Order(5)
    void closingTheContextStopsRecoveryClosesThePoolsAndReleasesTheLog() throws Exception {
        LockstepRecovery recovery = app.getBean(LockstepRecovery.class);
        AgroalDataSource orders = app.getBean("orders", AgroalDataSource.class);
        LockstepConnectionFactory events = app.getBean("events", LockstepConnectionFactory.class);
        app.close();
        assertFalse(recovery.isRunning(), "recovery stopped");
        assertThrows(SQLException.class, orders::getConnection, "the pool is closed");
        assertThrows(Exception.class, () -> events.createConnection().close(), "the JMS pool is stopped");
        // Lockstep closed too: its decision log is free for the next start of the node.
        try (Lockstep next = Lockstep.builder().nodeId(NODE).logDirectory(logs).logSegmentBytes(1 << 20).build()) {
            assertEquals(List.of(), next.pendingDecisionsAtStart(), "nothing left open");
        }
    }

    /** A resource whose phase-two commit cannot reach the server (the branch stays prepared there). */
    private static final class CommitUnreachable implements XAResource {
        private final XAResource d;

        CommitUnreachable(XAResource d) {
            this.d = d;
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            throw new XAException(XAException.XAER_RMFAIL);
        }

        @Override
        public void end(Xid xid, int flags) throws XAException {
            d.end(xid, flags);
        }

        @Override
        public void forget(Xid xid) throws XAException {
            d.forget(xid);
        }

        @Override
        public int getTransactionTimeout() throws XAException {
            return d.getTransactionTimeout();
        }

        @Override
        public boolean isSameRM(XAResource other) throws XAException {
            return other == this;
        }

        @Override
        public int prepare(Xid xid) throws XAException {
            return d.prepare(xid);
        }

        @Override
        public Xid[] recover(int flag) throws XAException {
            return d.recover(flag);
        }

        @Override
        public void rollback(Xid xid) throws XAException {
            d.rollback(xid);
        }

        @Override
        public boolean setTransactionTimeout(int seconds) throws XAException {
            return d.setTransactionTimeout(seconds);
        }

        @Override
        public void start(Xid xid, int flags) throws XAException {
            d.start(xid, flags);
        }
    }
}
