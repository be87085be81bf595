package dev.lockstep.hibernate;

import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.LockstepInstances;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.util.Map;
import java.util.Objects;
import org.hibernate.engine.transaction.jta.platform.internal.AbstractJtaPlatform;
import org.hibernate.engine.transaction.jta.platform.internal.JtaSynchronizationStrategy;
import org.hibernate.engine.transaction.jta.platform.internal.SynchronizationRegistryBasedSynchronizationStrategy;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatformException;

/**
 * Hibernate ORM's view of a Lockstep transaction manager.
 *
 * <p>Hibernate registers its session synchronization (the flush before completion, the cleanup after it) through
 * {@link TransactionSynchronizationRegistry#registerInterposedSynchronization}, as JTA 1.1 section 3.7 intends for
 * persistence frameworks: it runs after every ordinary {@code Synchronization.beforeCompletion} of the application,
 * so what those still change in the persistence context is flushed too.
 *
 * <p>Which Lockstep: the one handed to {@link #LockstepJtaPlatform(Lockstep)} (set the instance as
 * {@code hibernate.transaction.jta.platform}); otherwise, when Hibernate finds this platform through
 * {@link LockstepJtaPlatformProvider}, the open instance whose node id the setting {@value #NODE_ID} names, or the
 * only open one if it is not set. The choice is made when the {@code EntityManagerFactory} is built, so the
 * application builds its Lockstep first and keeps it open while the factory lives.
 */
public final class LockstepJtaPlatform extends AbstractJtaPlatform {

    /** Hibernate / JPA property: the node id of the Lockstep to use when several are open in the JVM. */
    public static final String NODE_ID = "lockstep.node_id";

    private static final long serialVersionUID = 1L;

    private transient Lockstep lockstep;
    private final JtaSynchronizationStrategy synchronizations =
            new SynchronizationRegistryBasedSynchronizationStrategy(this::registry);

    /** For Hibernate's {@link LockstepJtaPlatformProvider}: the Lockstep is chosen in {@link #configure(Map)}. */
    public LockstepJtaPlatform() {
    }

    /** Uses this Lockstep, whatever {@value #NODE_ID} says. */
    public LockstepJtaPlatform(Lockstep lockstep) {
        this.lockstep = Objects.requireNonNull(lockstep, "lockstep");
    }

    @Override
    public void configure(Map<String, Object> configValues) {
        super.configure(configValues);
        if (lockstep != null) {
            return;
        }
        Object nodeId = configValues.get(NODE_ID);
        if (nodeId != null && !(nodeId instanceof String)) {
            throw new JtaPlatformException(HibernateMessage.NODE_ID_NOT_A_STRING + " the Hibernate property " + NODE_ID
                    + " must be a String (the "
                    + "nodeId of the application's Lockstep), got a " + nodeId.getClass().getName());
        }
        try {
            lockstep = LockstepInstances.select((String) nodeId, NODE_ID, "Hibernate's JtaPlatform");
        } catch (IllegalStateException e) {
            throw new JtaPlatformException(e.getMessage(), e);
        }
    }

    /** The Lockstep this platform works with. */
    public Lockstep lockstep() {
        if (lockstep == null) {
            throw new JtaPlatformException(HibernateMessage.PLATFORM_NOT_CONFIGURED
                    + " LockstepJtaPlatform was not configured: Hibernate calls "
                    + "configure(settings) on the platforms it creates; when you create one yourself, pass the "
                    + "Lockstep to new LockstepJtaPlatform(lockstep)");
        }
        return lockstep;
    }

    @Override
    protected TransactionManager locateTransactionManager() {
        return lockstep().transactionManager();
    }

    @Override
    protected UserTransaction locateUserTransaction() {
        return lockstep().userTransaction();
    }

    private TransactionSynchronizationRegistry registry() {
        return lockstep().transactionSynchronizationRegistry();
    }

    @Override
    protected JtaSynchronizationStrategy getSynchronizationStrategy() {
        return synchronizations;
    }

    /** The TM and UT are plain objects of the Lockstep instance: caching them is always right. */
    @Override
    protected boolean canCacheUserTransactionByDefault() {
        return true;
    }

    @Override
    public String toString() {
        return "LockstepJtaPlatform[" + (lockstep == null ? "not configured" : lockstep) + "]";
    }
}
