package dev.lockstep.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.jms.LockstepConnectionFactory;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.recovery.Recovery;
import dev.lockstep.tm.recovery.ScanReport;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizationAutoConfiguration;
import org.springframework.boot.transaction.jta.autoconfigure.JtaAutoConfiguration;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.jta.JtaTransactionManager;

/**
 * The auto-configuration without servers: what properties alone create, beside Boot's own transaction and JDBC
 * auto-configurations (which must back off), how wrong properties are reported, and the recovery schedule's life.
 */
class LockstepAutoConfigurationTest {

    @TempDir
    Path logs;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LockstepAutoConfiguration.class,
                TransactionManagerCustomizationAutoConfiguration.class, TransactionAutoConfiguration.class,
                JtaAutoConfiguration.class, DataSourceAutoConfiguration.class,
                DataSourceTransactionManagerAutoConfiguration.class));
    }

    private String[] base(String node) {
        // Small segments: preallocating 16 MiB per start is most of a context start on a slow disk.
        return new String[] {"lockstep.node-id=" + node, "lockstep.log-directory=" + logs,
            "lockstep.log-segment-size=64KB"};
    }

    @Test
    void withTheDecisionStoreANodeIdMayBeAPodsNameAndTheLogDirectoryIsNotNeeded() {
        String pod = "orders-service-deployment-7d9f8b6c5d-x2k4q-with-a-long-suffix12";
        runner().withPropertyValues("lockstep.node-id=" + pod, "lockstep.decision-store.url=jdbc:postgresql://db/app",
                "lockstep.decision-store.lease=1s").run(ctx -> {
                    LockstepPropertiesException e = findCause(ctx.getStartupFailure(),
                            LockstepPropertiesException.class);
                    String all = String.join("\n", e.problems());
                    assertFalse(all.contains("lockstep.node-id") || all.contains("lockstep.log-directory"), all);
                    assertTrue(all.contains("lockstep.decision-store lease PT1S must be between 2 s and 10 min"), all);
                });
        runner().withPropertyValues("lockstep.node-id=" + pod + "-too-long", "lockstep.log-directory=/tmp")
                .run(ctx -> {
                    LockstepPropertiesException e = findCause(ctx.getStartupFailure(),
                            LockstepPropertiesException.class);
                    assertTrue(String.join("\n", e.problems()).contains("lockstep.node-id"), e.problems().toString());
                });
    }

    @Test
    void nodeIdAndLogDirectoryAloneGiveLockstepAndSpringsJtaTransactionManagerOverIt() {
        runner().withPropertyValues(base("boot-unit-1")).withPropertyValues("lockstep.default-timeout=42s",
                "spring.transaction.default-timeout=7s").run(ctx -> {
                    assertNull(ctx.getStartupFailure());
                    Lockstep lockstep = ctx.getBean(Lockstep.class);
                    assertEquals("boot-unit-1", lockstep.nodeId());
                    // The only transaction manager: Boot's DataSourceTransactionManager and JNDI JTA backed off.
                    assertEquals(1, ctx.getBeanNamesForType(PlatformTransactionManager.class).length);
                    JtaTransactionManager tm = ctx.getBean(JtaTransactionManager.class);
                    assertSame(lockstep.transactionManager(), tm.getTransactionManager());
                    assertSame(lockstep.userTransaction(), tm.getUserTransaction());
                    assertSame(lockstep.transactionSynchronizationRegistry(),
                            tm.getTransactionSynchronizationRegistry());
                    assertEquals(7, tm.getDefaultTimeout(), "Boot's spring.transaction.* customizers applied");
                    assertTrue(ctx.getBean(LockstepRecovery.class).isRunning(), "recovery scheduled");
                });
    }

    @Test
    void everyWrongPropertyIsNamedAtOnce() {
        runner().withPropertyValues("lockstep.default-timeout=1500ms",
                "lockstep.datasources.orders.url=jdbc:mariadb://127.0.0.1:3306/orders",
                "lockstep.datasources.billing.username=app",
                "lockstep.datasources.stock.url=jdbc:postgresql://127.0.0.1:5432/stock",
                "lockstep.datasources.stock.kind=mysql",
                "lockstep.datasources.stock.pool-size=0",
                "lockstep.jms.stock.broker-url=tcp://127.0.0.1:61616",
                "lockstep.jms.events.pool-size=2",
                "lockstep.recovery.orphan-safety-interval=2s",
                "lockstep.health.in-doubt-threshold=300").run(ctx -> {
                    Throwable failure = ctx.getStartupFailure();
                    assertNotNull(failure, "a context with wrong properties must not start");
                    LockstepPropertiesException e = findCause(failure, LockstepPropertiesException.class);
                    Set<String> named = new TreeSet<>();
                    for (String problem : e.problems()) {
                        named.add(problem.substring(0, problem.indexOf(' ')));
                    }
                    assertEquals(new TreeSet<>(List.of("lockstep.node-id", "lockstep.log-directory",
                            "lockstep.default-timeout", "lockstep.datasources.orders.url",
                            "lockstep.datasources.billing.url", "lockstep.datasources.stock.kind",
                            "lockstep.datasources.stock.pool-size", "lockstep.jms.stock",
                            // No MySQL driver on this module's test class path (the drivers are the user's choice).
                            "lockstep.datasources.stock.url",
                            "lockstep.jms.events.broker-url", "lockstep.recovery.orphan-safety-interval",
                            "lockstep.health.in-doubt-threshold")), named,
                            () -> String.join("\n", e.problems()));
                    assertTrue(e.getMessage().contains("jdbc:mysql://host:port/db"), e.getMessage());
                    assertTrue(e.getMessage().contains("add com.mysql:mysql-connector-j"), e.getMessage());
                    // Registered where Boot looks for failure analyzers, so a failed start prints this report.
                    java.util.Properties factories = new java.util.Properties();
                    try (InputStream in = getClass().getResourceAsStream("/META-INF/spring.factories")) {
                        factories.load(in);
                    }
                    assertEquals(LockstepFailureAnalyzer.class.getName(), factories.getProperty(
                            org.springframework.boot.diagnostics.FailureAnalyzer.class.getName()));
                    FailureAnalysis analysis = new LockstepFailureAnalyzer().analyze(failure);
                    assertNotNull(analysis);
                    assertTrue(analysis.getDescription().contains("lockstep.jms.events.broker-url is missing"),
                            analysis.getDescription());
                });
    }

    @Test
    void aSecondApplicationOnTheSameNodeAndLogIsRefusedNamingTheProperties() {
        runner().withPropertyValues(base("boot-unit-2")).run(first -> {
            assertNotNull(first.getBean(Lockstep.class));
            runner().withPropertyValues(base("boot-unit-2")).run(second -> {
                Throwable failure = second.getStartupFailure();
                assertNotNull(failure, "the decision log is locked by the first context");
                IllegalStateException e = findCause(failure, IllegalStateException.class);
                assertTrue(e.getMessage().startsWith("LKS-803") && e.getMessage().contains("lockstep.node-id="
                        + "boot-unit-2"), e.getMessage());
            });
        });
    }

    @Test
    void recoveryScansOnItsScheduleAndStopsWithTheContextReleasingTheNode() throws Exception {
        LockstepRecovery[] seen = new LockstepRecovery[1];
        runner().withPropertyValues(base("boot-unit-3")).withPropertyValues("lockstep.recovery.interval=50ms")
                .run(ctx -> {
                    LockstepRecovery recovery = ctx.getBean(LockstepRecovery.class);
                    seen[0] = recovery;
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (recovery.scanCount() < 3 && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    assertTrue(recovery.scanCount() >= 3, "scans run on the schedule: " + recovery.scanCount());
                    ScanReport last = recovery.lastReport().orElseThrow();
                    assertTrue(last.clean(), () -> "nothing in doubt, no resource: " + last);
                });
        assertFalse(seen[0].isRunning(), "stopped with the context");
        long after = seen[0].scanCount();
        Thread.sleep(200);
        assertEquals(after, seen[0].scanCount(), "no scan after close");
        // Neither the recovery lock nor the log is held any more: a recovery service could take over the node.
        try (Recovery r = Recovery.builder().logDirectory(logs).nodeId("boot-unit-3").build()) {
            assertTrue(r.scan().clean());
        }
    }

    @Test
    void recoveryCanBeTurnedOffForAnExternalRecoveryService() {
        runner().withPropertyValues(base("boot-unit-4")).withPropertyValues("lockstep.recovery.enabled=false")
                .run(ctx -> {
                    assertNotNull(ctx.getBean(Lockstep.class));
                    assertEquals(0, ctx.getBeanNamesForType(LockstepRecovery.class).length);
                });
    }

    @Test
    void theStarterCanBeTurnedOffAndThenBootsOwnConfigurationsApply() {
        runner().withPropertyValues("lockstep.enabled=false").run(ctx -> {
            assertEquals(0, ctx.getBeanNamesForType(Lockstep.class).length);
            assertEquals(0, ctx.getBeanNamesForType(JtaTransactionManager.class).length);
        });
    }

    @Test
    void namedJmsFactoriesAreBeansOfTheirNameRegisteredForRecoveryAndClosedBeforeLockstep() {
        // pooled-jms connects lazily, so no broker is needed to build the factories.
        runner().withPropertyValues(base("boot-unit-5")).withPropertyValues(
                "lockstep.jms.events.broker-url=tcp://127.0.0.1:1",
                "lockstep.jms.audit.broker-url=tcp://127.0.0.1:1", "lockstep.jms.audit.primary=true",
                "lockstep.recovery.initial-delay=1h").run(ctx -> {
                    assertNull(ctx.getStartupFailure());
                    LockstepConnectionFactory events = ctx.getBean("events", LockstepConnectionFactory.class);
                    assertEquals("events", events.resourceName());
                    assertEquals("audit", ctx.getBean(jakarta.jms.ConnectionFactory.class) instanceof
                            LockstepConnectionFactory f ? f.resourceName() : null, "the primary one");
                    assertEquals(List.of("events", "audit"), ctx.getBean(LockstepRecovery.class).resourceNames());
                    // Destruction order: Spring destroys the dependents of 'lockstep' before it.
                    ConfigurableListableBeanFactory bf = ctx.getBeanFactory();
                    assertEquals(Set.of("events", "audit"), Set.of(bf.getDependentBeans("lockstep")).stream()
                            .filter(n -> !n.equals("transactionManager") && !n.equals("lockstepRecovery"))
                            .collect(java.util.stream.Collectors.toSet()));
                    assertInstanceOf(LockstepConnectionFactory.class, ctx.getBean("audit"));
                });
    }

    @Test
    void configurationMetadataDescribesTheProperties() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertNotNull(in, "the annotation processor wrote the metadata");
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String key : List.of("lockstep.node-id", "lockstep.log-directory", "lockstep.default-timeout",
                    "lockstep.datasources", "lockstep.jms", "lockstep.recovery.interval",
                    "lockstep.recovery.enabled")) {
                assertTrue(json.contains("\"" + key + "\""), key);
            }
        }
    }

    @Test
    void boundsAreTheBuildersAndDurationsLockstepsOneSyntax() {
        runner().withPropertyValues(base("boot-unit-5")).withPropertyValues("lockstep.group-commit-max-wait=2s",
                "lockstep.recovery.interval=100", "lockstep.jms[bad name].broker-url=tcp://127.0.0.1:1").run(ctx -> {
                    LockstepPropertiesException e = findCause(ctx.getStartupFailure(),
                            LockstepPropertiesException.class);
                    assertEquals(3, e.problems().size(), () -> String.join("\n", e.problems()));
                    assertTrue(e.problems().contains("lockstep.group-commit-max-wait must be between 0s and 1s, "
                            + "got 2s"), () -> String.join("\n", e.problems()));
                    assertTrue(e.problems().stream().anyMatch(m -> m.startsWith("lockstep.recovery.interval is "
                            + "'100': write a duration as a whole number and a unit: 500ms")), e.getMessage());
                    assertTrue(e.problems().stream().anyMatch(m -> m.startsWith("lockstep.jms.bad name has a name "
                            + "Lockstep cannot use: resource name 'bad name' contains ' '")), e.getMessage());
                });
    }

    private static void assertNull(Object o) {
        org.junit.jupiter.api.Assertions.assertNull(o, () -> "unexpected: " + o);
    }

    private static <T extends Throwable> T findCause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + t, t);
    }
}
