package dev.lockstep.hibernate;

import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatformProvider;

/**
 * Lets Hibernate ORM find {@link LockstepJtaPlatform} on the class path: Hibernate asks the
 * {@code JtaPlatformProvider} services ({@code META-INF/services}) before it guesses a platform from the classes it
 * sees, when {@code hibernate.transaction.jta.platform} is not set.
 *
 * <p>A new platform per call: each {@code EntityManagerFactory} configures its own, so two factories can use two
 * Lockstep instances through {@value LockstepJtaPlatform#NODE_ID}.
 */
public final class LockstepJtaPlatformProvider implements JtaPlatformProvider {

    @Override
    public JtaPlatform getProvidedJtaPlatform() {
        return new LockstepJtaPlatform();
    }
}
