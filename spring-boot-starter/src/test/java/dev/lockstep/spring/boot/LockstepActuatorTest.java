package dev.lockstep.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.metrics.LockstepMeterBinder;
import dev.lockstep.testkit.Events;
import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.testkit.ScriptedXAResource.Verb;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.events.TransactionEvent.BranchCall;
import dev.lockstep.tm.spi.NamedXAResource;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.jta.autoconfigure.JtaAutoConfiguration;
import org.springframework.transaction.jta.JtaTransactionManager;

/**
 * The starter's Actuator support without servers: Lockstep's meters in Boot's registry, the health indicator and the
 * endpoint {@code lockstep} over branches scripted to be retried or heuristic, and an application without Actuator
 * or Micrometer that gets none of it.
 */
class LockstepActuatorTest {

    @TempDir
    Path logs;

    private ApplicationContextRunner runner(String node) {
        return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LockstepAutoConfiguration.class,
                LockstepMetricsAutoConfiguration.class, LockstepActuatorAutoConfiguration.class,
                JtaAutoConfiguration.class, MetricsAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                ObservationAutoConfiguration.class, HealthContributorAutoConfiguration.class,
                EndpointAutoConfiguration.class))
                .withPropertyValues("lockstep.node-id=" + node, "lockstep.log-directory=" + logs,
                        "lockstep.log-segment-size=64KB", "lockstep.recovery.enabled=false",
                        "lockstep.retry-initial-delay=20ms", "lockstep.retry-max-delay=50ms",
                        "management.endpoints.web.exposure.include=health,lockstep");
    }

    /** The kit's scripted resource under a name, as a pool's XAResource is. */
    static final class Branch extends ScriptedXAResource implements NamedXAResource {
        Branch(String name) {
            super(name, new Events());
        }
    }

    /*
     * Scenario: Actuator and Micrometer present; one transaction with two branches commits.
     * Expected: the binder is a bean, Lockstep's listener, bound once to Boot's registry: lockstep.transactions
     * {outcome=committed, node} counts exactly 1 (a second binding would count 2).
     */
    @Test
    void theMetersAreBoundToBootsRegistryOnceAndHearTheLockstepBean() {
        runner("act-meters").run(ctx -> {
            assertNull(ctx.getStartupFailure());
            assertNotNull(ctx.getBean(LockstepMeterBinder.class));
            MeterRegistry registry = ctx.getBean(MeterRegistry.class);
            commit(ctx.getBean(Lockstep.class), new Branch("db-a"), new Branch("db-b"));
            await(() -> registry.find("lockstep.transactions").tag("outcome", "committed").counter() != null
                    && registry.find("lockstep.transactions").tag("outcome", "committed").counter().count() >= 1);
            Thread.sleep(200); // a second binding's count would arrive with the same event
            assertEquals(1.0, registry.get("lockstep.transactions").tag("outcome", "committed")
                    .tag("node", "act-meters").counter().count());
            assertEquals(1, registry.get("lockstep.branch.prepare").tag("resource", "db-b").timer().count());
        });
    }

    /*
     * Scenario: a healthy node; then a branch whose commit fails with XAER_RMFAIL (its message carries a URL with a
     * password) is left to the retrier, with a threshold of 0 s.
     * Expected: UP with no attention at first; then UP with branchesRetrying=1, the oldest in-doubt age and an
     * LKS-822 attention; the endpoint lists the retrying branch (resource, COMMIT, attempts, since, last error) with
     * the password masked, and no detail or field contains it.
     */
    @Test
    void aBranchWaitingForRetryShowsInTheHealthAndTheEndpointWithoutItsPassword() {
        runner("act-retry").withPropertyValues("lockstep.health.in-doubt-threshold=0s").run(ctx -> {
            assertNull(ctx.getStartupFailure());
            LockstepHealthIndicator indicator = ctx.getBean("lockstepHealthIndicator", LockstepHealthIndicator.class);
            Health healthy = indicator.health(true);
            assertEquals(Status.UP, healthy.getStatus());
            assertEquals("act-retry", healthy.getDetails().get("node"));
            assertFalse(healthy.getDetails().containsKey("attention"), healthy.toString());

            Branch b = new Branch("db-b");
            b.failAlways(Verb.COMMIT, new XAException("connection to jdbc:postgresql://db/app?user=app&password="
                    + "s3cret-pw refused"));
            b.failOn(Verb.COMMIT, XAException.XAER_RMFAIL, 1);
            commit(ctx.getBean(Lockstep.class), new Branch("db-a"), b);

            LockstepEndpoint endpoint = ctx.getBean(LockstepEndpoint.class);
            await(() -> endpoint.report().retrying().stream().anyMatch(r -> r.attempts() >= 1));
            LockstepReport report = endpoint.report();
            LockstepReport.Retrying r = report.retrying().get(0);
            assertEquals("db-b", r.resource());
            assertEquals(BranchCall.COMMIT, r.call());
            assertEquals(2, r.branch());
            assertTrue(r.lastError().contains("password=" + SecretRedactor.MASK), r.lastError());
            assertFalse(report.toString().contains("s3cret-pw"), report.toString());
            assertEquals(r.since(), report.oldestInDoubtSince());

            Health h = indicator.health(true);
            assertEquals(Status.UP, h.getStatus(), "a stuck branch is for an alert, not for the load balancer");
            assertEquals(1, h.getDetails().get("branchesRetrying"));
            assertNotNull(h.getDetails().get("oldestInDoubt"));
            List<?> attention = (List<?>) h.getDetails().get("attention");
            assertTrue(attention.stream().anyMatch(a -> a.toString().startsWith("LKS-822")), attention.toString());
            assertFalse(h.toString().contains("s3cret-pw"), h.toString());
        });
    }

    /*
     * Scenario: both branches roll back on their own after the COMMIT decision (XA_HEURRB).
     * Expected: UP, heuristics=2 and an LKS-821 attention; the endpoint lists both heuristics.
     */
    @Test
    void heuristicsAskForAnOperatorInTheHealthAndAreListedByTheEndpoint() {
        runner("act-heur").run(ctx -> {
            Branch a = new Branch("db-a");
            Branch b = new Branch("db-b");
            a.failOn(Verb.COMMIT, XAException.XA_HEURRB);
            b.failOn(Verb.COMMIT, XAException.XA_HEURRB);
            assertThrows(HeuristicRollbackException.class, () -> commit(ctx.getBean(Lockstep.class), a, b));

            Health h = ctx.getBean(LockstepHealthIndicator.class).health(true);
            assertEquals(Status.UP, h.getStatus());
            assertEquals(2L, h.getDetails().get("heuristics"));
            List<?> attention = (List<?>) h.getDetails().get("attention");
            assertTrue(attention.stream().anyMatch(x -> x.toString().startsWith("LKS-821")), attention.toString());
            LockstepReport report = ctx.getBean(LockstepEndpoint.class).report();
            assertEquals(List.of("db-a", "db-b"), report.heuristics().stream().map(x -> x.resource()).toList());
            assertEquals(2, report.heuristicsTotal());
        });
    }

    /** A Lockstep that can decide nothing (here: closed) is DOWN, with the reason. */
    @Test
    void aLockstepThatCannotDecideIsDown() {
        runner("act-down").run(ctx -> {
            ctx.getBean(Lockstep.class).close();
            Health h = ctx.getBean(LockstepHealthIndicator.class).health(true);
            assertEquals(Status.DOWN, h.getStatus());
            assertTrue(h.getDetails().get("problem").toString().startsWith("LKS-150"), h.toString());
        });
    }

    @Test
    void theHealthIndicatorTurnsOffAsBootsOwnDo() {
        runner("act-off").withPropertyValues("management.health.lockstep.enabled=false").run(ctx -> {
            assertNull(ctx.getStartupFailure());
            assertTrue(ctx.getBeansOfType(LockstepHealthIndicator.class).isEmpty());
            assertEquals(1, ctx.getBeansOfType(LockstepEndpoint.class).size());
        });
    }

    /*
     * Scenario: the application has neither Actuator nor Micrometer nor lockstep-metrics on its class path.
     * Expected: it starts as before, with Lockstep and its JtaTransactionManager, and no bean of the Actuator support.
     */
    @Test
    void withoutActuatorOrMicrometerNothingOfItIsCreated() {
        // Boot's own Actuator and Micrometer auto-configurations are absent too, as they would be from such an
        // application's class path: only ours are listed, and they must not fail on the missing classes.
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LockstepAutoConfiguration.class,
                LockstepMetricsAutoConfiguration.class, LockstepActuatorAutoConfiguration.class,
                JtaAutoConfiguration.class))
                .withPropertyValues("lockstep.node-id=act-none", "lockstep.log-directory=" + logs,
                        "lockstep.log-segment-size=64KB", "lockstep.recovery.enabled=false")
                .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate.",
                "org.springframework.boot.health.", "org.springframework.boot.micrometer.", "io.micrometer.",
                "dev.lockstep.metrics.")).run(ctx -> {
                    assertNull(ctx.getStartupFailure());
                    assertNotNull(ctx.getBean(Lockstep.class));
                    assertNotNull(ctx.getBean(JtaTransactionManager.class));
                    assertTrue(ctx.getBeanNamesForType(LockstepHealthIndicator.class).length == 0);
                    assertTrue(ctx.getBeanNamesForType(LockstepEndpoint.class).length == 0);
                    assertFalse(ctx.containsBean("lockstepMeterBinder"));
                });
        // Micrometer and Actuator present, but not lockstep-metrics: health and endpoint, no meters.
        runner("act-nometrics").withClassLoader(new FilteredClassLoader("dev.lockstep.metrics.")).run(ctx -> {
            assertNull(ctx.getStartupFailure());
            assertFalse(ctx.containsBean("lockstepMeterBinder"));
            assertSame(ctx.getBean(LockstepHealthIndicator.class), ctx.getBean("lockstepHealthIndicator"));
        });
    }

    private static void commit(Lockstep lockstep, Branch... branches) throws Exception {
        TransactionManager tm = lockstep.transactionManager();
        tm.begin();
        for (Branch b : branches) {
            tm.getTransaction().enlistResource(b);
        }
        tm.commit();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }
}
