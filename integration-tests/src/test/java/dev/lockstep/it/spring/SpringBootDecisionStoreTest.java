package dev.lockstep.it.spring;

import static dev.lockstep.it.spring.PlainClients.mariaIds;
import static dev.lockstep.it.spring.PlainClients.pgIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.spring.boot.LockstepRecovery;
import dev.lockstep.testkit.servers.MariaDbServer;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.spi.NamedXAResource;
import dev.lockstep.tm.store.PostgresDecisionStore;
import jakarta.transaction.Transaction;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import javax.sql.XAConnection;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/**
 * The starter with {@code lockstep.decision-store.*} (docs/cluster.md): no log directory, decisions in PostgreSQL. A
 * node that is gone for good left a decided transaction with a prepared branch; the application, another node, finds
 * its lease released and finishes it with its scheduled recovery of every node in the store, and its own transfers
 * commit through the store.
 */
class SpringBootDecisionStoreTest {

    private static final String SCHEMA = "boot_store";
    private static final String LOGGING_SYSTEM = "org.springframework.boot.logging.LoggingSystem";
    private static ConfigurableApplicationContext app;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Transfers.class)
    static class StoreApplication {
    }

    /** One transfer over both databases. */
    public static class Transfers {
        private final JdbcTemplate orders;
        private final JdbcTemplate billing;

        public Transfers(@Qualifier("orders") DataSource orders, @Qualifier("billing") DataSource billing) {
            this.orders = new JdbcTemplate(orders);
            this.billing = new JdbcTemplate(billing);
        }

        @Transactional
        public void transfer(String id) {
            orders.update("INSERT INTO store_orders (id) VALUES (?)", id);
            billing.update("INSERT INTO store_billing (id) VALUES (?)", id);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        PlainClients.pgExec("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE",
                "CREATE TABLE IF NOT EXISTS store_orders (id VARCHAR(64) PRIMARY KEY)", "DELETE FROM store_orders");
        PlainClients.mariaExec("CREATE TABLE IF NOT EXISTS store_billing (id VARCHAR(64) PRIMARY KEY) ENGINE=InnoDB",
                "DELETE FROM store_billing");
        leaveADecisionOfANodeThatIsGone();

        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("lockstep.node-id", "boot-live");
        properties.put("lockstep.decision-store.url", Servers.postgres().jdbcUrl());
        properties.put("lockstep.decision-store.username", PostgresServer.USER);
        properties.put("lockstep.decision-store.password", PostgresServer.PASSWORD);
        properties.put("lockstep.decision-store.schema", SCHEMA);
        properties.put("lockstep.decision-store.lease", "2s");
        properties.put("lockstep.datasources.orders.url", Servers.postgres().jdbcUrl());
        properties.put("lockstep.datasources.orders.username", PostgresServer.USER);
        properties.put("lockstep.datasources.orders.password", PostgresServer.PASSWORD);
        properties.put("lockstep.datasources.orders.primary", "true");
        properties.put("lockstep.datasources.billing.url", Servers.mariadb().jdbcUrl());
        properties.put("lockstep.datasources.billing.username", MariaDbServer.USER);
        properties.put("lockstep.datasources.billing.password", MariaDbServer.PASSWORD);
        properties.put("lockstep.recovery.interval", "1s");
        properties.put("spring.main.banner-mode", "off");
        System.setProperty(LOGGING_SYSTEM, "none");
        app = new SpringApplicationBuilder(StoreApplication.class).properties(properties).run();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        System.clearProperty(LOGGING_SYSTEM);
    }

    /**
     * Node "boot-gone" decides COMMIT over PostgreSQL ("orders") and MariaDB ("billing"); PostgreSQL's commit answers
     * XAER_RMFAIL, so its branch stays prepared; then the node stops for good, releasing its lease with the decision
     * open in the store.
     */
    private static void leaveADecisionOfANodeThatIsGone() throws Exception {
        var pgXa = new org.postgresql.xa.PGXADataSource();
        pgXa.setUrl(Servers.postgres().jdbcUrl());
        var myXa = new com.mysql.cj.jdbc.MysqlXADataSource();
        myXa.setUrl(Servers.mariadb().jdbcUrl());
        try (var pool = dev.lockstep.jdbc.LockstepDataSources.decisionStore(Servers.postgres().jdbcUrl(),
                PostgresServer.USER, PostgresServer.PASSWORD, 2);
                Lockstep gone = Lockstep.builder().nodeId("boot-gone").inProcessRecovery(false)
                        .retryInitialDelay(Duration.ofMinutes(10)).retryMaxDelay(Duration.ofMinutes(10))
                        .decisionStore(PostgresDecisionStore.builder(pool).schema(SCHEMA).build()).build()) {
            XAConnection pc = pgXa.getXAConnection(PostgresServer.USER, PostgresServer.PASSWORD);
            XAConnection mc = myXa.getXAConnection(MariaDbServer.USER, MariaDbServer.PASSWORD);
            try {
                gone.userTransaction().begin();
                Transaction t = gone.transactionManager().getTransaction();
                t.enlistResource(NamedXAResource.wrap("orders", commitUnreachable(pc.getXAResource())));
                t.enlistResource(NamedXAResource.wrap("billing", mc.getXAResource()));
                try (Statement s = pc.getConnection().createStatement()) {
                    s.executeUpdate("INSERT INTO store_orders (id) VALUES ('orphan')");
                }
                try (Statement s = mc.getConnection().createStatement()) {
                    s.executeUpdate("INSERT INTO store_billing (id) VALUES ('orphan')");
                }
                gone.userTransaction().commit();
            } finally {
                pc.close();
                mc.close();
            }
        }
        assertEquals(List.of("orphan"), mariaIds("store_billing"));
        assertEquals(List.of(), pgIds("store_orders"), "the orders branch is still prepared");
    }

    /** PostgreSQL's XAResource whose phase-two commit is never reached (XAER_RMFAIL). */
    private static XAResource commitUnreachable(XAResource real) {
        return (XAResource) Proxy.newProxyInstance(XAResource.class.getClassLoader(),
                new Class<?>[] {XAResource.class}, (p, m, args) -> {
                    if (m.getName().equals("commit")) {
                        throw new XAException(XAException.XAER_RMFAIL);
                    }
                    try {
                        return m.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void anotherNodeFinishesTheGoneNodesDecisionAndCommitsItsOwnThroughTheStore() throws Exception {
        LockstepRecovery recovery = app.getBean(LockstepRecovery.class);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!pgIds("store_orders").contains("orphan") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(List.of("orphan"), pgIds("store_orders"), "committed by the live node's recovery: "
                + recovery.lastReport());
        while (count("SELECT count(*) FROM " + SCHEMA + ".incarnation i JOIN " + SCHEMA + ".node n USING (node_id) "
                + "WHERE node_id = 'boot-gone'") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(0, count("SELECT count(*) FROM " + SCHEMA + ".incarnation WHERE node_id = 'boot-gone'"),
                "the gone node's incarnation is retired");
        assertTrue(recovery.lastReport().orElseThrow().actions().stream().noneMatch(
                a -> a.kind() == RecoveryAction.Kind.ERROR), recovery.lastReport().toString());

        app.getBean(Transfers.class).transfer("t-1");
        assertEquals(List.of("orphan", "t-1"), pgIds("store_orders"));
        assertEquals(List.of("orphan", "t-1"), mariaIds("store_billing"));
        Lockstep lockstep = app.getBean(Lockstep.class);
        assertEquals(1, count("SELECT count(*) FROM " + SCHEMA + ".incarnation WHERE node_id = 'boot-live' AND id = "
                + lockstep.incarnation()), "the live node holds its lease in the store");
        assertTrue(lockstep.metrics().logRecords() >= 1, "its decision went through the store");
    }

    private static long count(String sql) throws Exception {
        try (var c = PlainClients.pg(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
