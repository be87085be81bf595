package dev.lockstep.spring.boot;

import dev.lockstep.tm.Lockstep;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The health indicator {@code lockstep} (with Boot's spring-boot-health) and the endpoint {@code lockstep} (with
 * spring-boot-actuator-autoconfigure), over the {@link Lockstep} bean; each only when its Boot module is on the class
 * path, so an application without Actuator gets neither and loads none of their classes. Boot 4 split Actuator:
 * health indicators live in spring-boot-health, endpoints in spring-boot-actuator, their conditions in the
 * respective autoconfigure packages.
 *
 * <p>The conditions that Boot's optional modules define ({@code @ConditionalOnEnabledHealthIndicator},
 * {@code @ConditionalOnAvailableEndpoint}) sit on the bean methods, not on the classes: Spring loads every condition
 * of a class before it evaluates any, so beside a {@code @ConditionalOnClass} that fails they would still be loaded,
 * and fail for want of their classes (LockstepActuatorTest proves an application without them starts). Turned off as
 * Boot's own are: {@code management.health.lockstep.enabled=false},
 * {@code management.endpoint.lockstep.enabled=false} (or not exposing it).
 */
@AutoConfiguration(after = LockstepAutoConfiguration.class)
@ConditionalOnBean(Lockstep.class)
public class LockstepActuatorAutoConfiguration {

    /** The health indicator: bean name {@code lockstepHealthIndicator}, so Boot names the contributor lockstep. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class LockstepHealthConfiguration {

        @Bean
        @ConditionalOnEnabledHealthIndicator("lockstep")
        @ConditionalOnMissingBean(name = "lockstepHealthIndicator")
        LockstepHealthIndicator lockstepHealthIndicator(Lockstep lockstep, LockstepProperties p,
                ObjectProvider<LockstepRecovery> recovery) {
            return new LockstepHealthIndicator(lockstep, recovery, SecretRedactor.of(p),
                    p.getHealth().getInDoubtThreshold());
        }
    }

    /** The endpoint. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.autoconfigure.endpoint.condition."
            + "ConditionalOnAvailableEndpoint")
    static class LockstepEndpointConfiguration {

        @Bean
        @ConditionalOnAvailableEndpoint
        @ConditionalOnMissingBean
        LockstepEndpoint lockstepEndpoint(Lockstep lockstep, LockstepProperties p,
                ObjectProvider<LockstepRecovery> recovery) {
            return new LockstepEndpoint(lockstep, recovery, SecretRedactor.of(p));
        }
    }
}
