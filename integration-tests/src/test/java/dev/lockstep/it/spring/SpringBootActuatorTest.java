package dev.lockstep.it.spring;

import static dev.lockstep.it.spring.PlainClients.mariaIds;
import static dev.lockstep.it.spring.PlainClients.pgIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.spring.boot.LockstepEndpoint;
import dev.lockstep.spring.boot.LockstepHealthIndicator;
import dev.lockstep.spring.boot.LockstepReport;
import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.testkit.ScriptedXAResource.Verb;
import dev.lockstep.testkit.servers.MariaDbServer;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.events.TransactionEvent.BranchCall;
import dev.lockstep.tm.spi.NamedXAResource;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/**
 * A Spring Boot application on the starter with Actuator, over the real PostgreSQL and MariaDB: the {@code lockstep}
 * health indicator, the {@code lockstep} endpoint and the meters in Boot's registry, while MariaDB is killed between
 * the COMMIT decision and its phase two, and after it is back.
 */
class SpringBootActuatorTest {

    private static final String NODE = "it-actuator";
    private static final String LOGGING_SYSTEM = "org.springframework.boot.logging.LoggingSystem";

    private static ConfigurableApplicationContext app;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(TransferService.class)
    static class ActuatorApplication {
    }

    /** Writes to PostgreSQL and MariaDB, and enlists {@code gate} as a third branch, prepared last. */
    public static class TransferService {
        private final JdbcTemplate orders;
        private final JdbcTemplate billing;
        private final Lockstep lockstep;

        public TransferService(JdbcTemplate orders, @Qualifier("billing") DataSource billing, Lockstep lockstep) {
            this.orders = orders;
            this.billing = new JdbcTemplate(billing);
            this.lockstep = lockstep;
        }

        @Transactional
        public void transfer(String id, NamedXAResource gate) throws Exception {
            orders.update("INSERT INTO act_orders (id) VALUES (?)", id);
            billing.update("INSERT INTO act_billing (id) VALUES (?)", id);
            lockstep.transactionManager().getTransaction().enlistResource(gate);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        PlainClients.pgExec("CREATE TABLE IF NOT EXISTS act_orders (id VARCHAR(64) PRIMARY KEY)",
                "DELETE FROM act_orders");
        PlainClients.mariaExec("CREATE TABLE IF NOT EXISTS act_billing (id VARCHAR(64) PRIMARY KEY) ENGINE=InnoDB",
                "DELETE FROM act_billing");
        Path logs = Files.createTempDirectory(Path.of("target"), "spring-boot-actuator-log-").toAbsolutePath();
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("lockstep.node-id", NODE);
        properties.put("lockstep.log-directory", logs.toString());
        properties.put("lockstep.log-segment-size", "1MB");
        // Prepared one after the other, in enlistment order: the gate's prepare comes after MariaDB's.
        properties.put("lockstep.parallel-phases", "false");
        properties.put("lockstep.retry-initial-delay", "100ms");
        properties.put("lockstep.retry-max-delay", "500ms");
        properties.put("lockstep.health.in-doubt-threshold", "1s");
        properties.put("lockstep.datasources.orders.url", Servers.postgres().jdbcUrl());
        properties.put("lockstep.datasources.orders.username", PostgresServer.USER);
        properties.put("lockstep.datasources.orders.password", PostgresServer.PASSWORD);
        properties.put("lockstep.datasources.orders.pool-size", "2");
        properties.put("lockstep.datasources.orders.primary", "true");
        properties.put("lockstep.datasources.billing.url", Servers.mariadb().jdbcUrl());
        properties.put("lockstep.datasources.billing.username", MariaDbServer.USER);
        properties.put("lockstep.datasources.billing.password", MariaDbServer.PASSWORD);
        properties.put("lockstep.datasources.billing.pool-size", "2");
        properties.put("lockstep.recovery.interval", "1s");
        properties.put("management.endpoints.web.exposure.include", "health,lockstep");
        properties.put("spring.main.banner-mode", "off");
        System.setProperty(LOGGING_SYSTEM, "none");
        app = new SpringApplicationBuilder(ActuatorApplication.class).properties(properties).run();
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        System.clearProperty(LOGGING_SYSTEM);
        assertEquals(List.of(), PlainClients.branchesInDoubt(NODE), "no branch of ours may stay prepared");
    }

    /*
     * Scenario: a transfer over PostgreSQL, MariaDB and a gate resource; the gate's prepare (after MariaDB voted
     * prepared) kills MariaDB, so the COMMIT decision is durable and MariaDB's commit cannot be made.
     * Expected: the commit returns; the health stays UP (a stuck branch is no reason to take the node out) with
     * branchesRetrying=1 and, past the 1 s threshold, an LKS-822 attention; the endpoint lists the billing branch
     * as retrying COMMIT with its error; no detail contains a password. Once MariaDB is back, the retrier commits it:
     * nothing retrying, both rows there, the meters counted the commit.
     */
    @Test
    void aBranchLeftByAKilledDatabaseShowsInTheHealthAndTheEndpointUntilItIsCommitted() throws Exception {
        LockstepHealthIndicator health = app.getBean(LockstepHealthIndicator.class);
        LockstepEndpoint endpoint = app.getBean(LockstepEndpoint.class);
        Health before = health.health(true);
        assertEquals(Status.UP, before.getStatus(), before.toString());
        assertEquals(0, before.getDetails().get("branchesRetrying"));

        MariaDbServer mariadb = Servers.mariadb();
        ScriptedXAResource gate = new ScriptedXAResource("gate").hook((verb, xid) -> {
            if (verb == Verb.PREPARE) {
                mariadb.kill();
            }
        });
        try {
            app.getBean(TransferService.class).transfer("t1", NamedXAResource.wrap("gate", gate));

            await(() -> endpoint.report().retrying().stream().anyMatch(r -> r.attempts() >= 1));
            Thread.sleep(1_100); // past the in-doubt threshold
            LockstepReport report = endpoint.report();
            LockstepReport.Retrying r = report.retrying().get(0);
            assertEquals("billing", r.resource());
            assertEquals(BranchCall.COMMIT, r.call());
            assertNotNull(r.lastError());
            assertTrue(report.transactions().isEmpty(), report.toString());
            Health during = health.health(true);
            assertEquals(Status.UP, during.getStatus(), during.toString());
            assertEquals(1, during.getDetails().get("branchesRetrying"));
            List<?> attention = (List<?>) during.getDetails().get("attention");
            assertTrue(attention.stream().anyMatch(a -> a.toString().startsWith("LKS-822")), attention.toString());
            for (String secret : List.of(PostgresServer.PASSWORD, MariaDbServer.PASSWORD)) {
                assertFalse(report.toString().contains("password=" + secret), report.toString());
                assertFalse(during.toString().contains("password=" + secret), during.toString());
            }
        } finally {
            mariadb.restart();
        }
        await(() -> endpoint.report().retrying().isEmpty());
        assertEquals(List.of("t1"), pgIds("act_orders"));
        assertEquals(List.of("t1"), mariaIds("act_billing"));
        Health after = health.health(true);
        assertEquals(Status.UP, after.getStatus());
        assertEquals(0, after.getDetails().get("branchesRetrying"));
        MeterRegistry registry = app.getBean(MeterRegistry.class);
        await(() -> registry.find("lockstep.transactions").tag("outcome", "committed").tag("node", NODE)
                .counter() != null);
        assertEquals(1.0, registry.get("lockstep.transactions").tag("outcome", "committed").counter().count());
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 60 s");
            }
            Thread.sleep(50);
        }
    }
}
