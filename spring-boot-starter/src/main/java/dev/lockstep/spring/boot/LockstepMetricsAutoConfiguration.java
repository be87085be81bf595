package dev.lockstep.spring.boot;

import dev.lockstep.metrics.LockstepMeterBinder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Lockstep's meters in Boot's MeterRegistry, and each commit as an Observation in Boot's ObservationRegistry (a trace
 * under Micrometer Tracing), when Micrometer's registry is a bean (Boot's spring-boot-micrometer-metrics, brought by
 * Actuator) and lockstep-metrics is on the class path.
 *
 * <p>The {@link LockstepMeterBinder} is a bean: Boot binds every MeterBinder bean to its registry itself (binding it
 * here as well would count every event twice); {@link LockstepAutoConfiguration} registers it as the Lockstep's
 * {@code TransactionListener} and as the in-process recovery's {@code RecoveryListener}, as it does every bean of
 * those types. Its meters carry the tag {@code node} (the node id), so the nodes of one dashboard stay apart.
 * docs/operations.md, "Spring Boot Actuator", lists the meters.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration" })
@ConditionalOnClass({ LockstepMeterBinder.class, MeterRegistry.class })
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "lockstep.enabled", matchIfMissing = true)
public class LockstepMetricsAutoConfiguration {

    /** The meters; with an ObservationRegistry bean (Boot's), an observation per commit too. */
    @Bean
    @ConditionalOnMissingBean
    public LockstepMeterBinder lockstepMeterBinder(LockstepProperties p,
            ObjectProvider<ObservationRegistry> observations) {
        ObservationRegistry registry = observations.getIfAvailable(() -> ObservationRegistry.NOOP);
        return new LockstepMeterBinder(registry, p.getNodeId() == null ? Tags.empty() : Tags.of("node", p.getNodeId()));
    }
}
