package dev.lockstep.spring.boot;

import dev.lockstep.tm.events.TransactionListener;
import dev.lockstep.tm.recovery.Recovery;
import dev.lockstep.tm.recovery.RecoveryListener;
import dev.lockstep.tm.store.PostgresDecisionStore;
import java.sql.SQLException;
import java.util.function.Supplier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.spi.RecoverableResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizers;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.transaction.TransactionManager;
import org.springframework.transaction.jta.JtaTransactionManager;

/**
 * Lockstep as the application's transaction manager, from {@code lockstep.*} properties alone: the {@link Lockstep}
 * bean (its decision log opened and locked), one pooled enlisting DataSource per {@code lockstep.datasources.<name>}
 * and one Artemis ConnectionFactory per {@code lockstep.jms.<name>} ({@link LockstepResourcesRegistrar}), Spring's
 * {@link JtaTransactionManager} over Lockstep's TransactionManager, UserTransaction and
 * TransactionSynchronizationRegistry, and {@link LockstepRecovery} scanning for in-doubt branches on a schedule.
 *
 * <p>Ordered before Boot's auto-configurations that would otherwise build a transaction manager, a DataSource or a
 * connection factory of their own (they back off on the beans made here: {@code @ConditionalOnMissingBean}). Boot's
 * {@code TransactionManagerCustomizers} ({@code spring.transaction.*}) apply to the JtaTransactionManager as they
 * would to Boot's own; Boot orders its JtaAutoConfiguration before the auto-configuration that defines them and reads
 * them lazily, and so does this one. The names are given as strings: each of those modules is optional in Boot 4.
 */
@AutoConfiguration(beforeName = {
        "org.springframework.boot.transaction.jta.autoconfigure.JtaAutoConfiguration",
        "org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.XADataSourceAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
        "org.springframework.boot.jms.autoconfigure.JmsAutoConfiguration",
        "org.springframework.boot.artemis.autoconfigure.ArtemisAutoConfiguration",
        "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration" })
@ConditionalOnClass({ Lockstep.class, JtaTransactionManager.class })
@ConditionalOnBooleanProperty(name = "lockstep.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LockstepProperties.class)
@Import(LockstepResourcesRegistrar.class)
public class LockstepAutoConfiguration {

    /**
     * Opens and locks the decision log; closed last, after the pools (they depend on it), draining transactions. Each
     * {@link TransactionListener} bean is registered as a listener; such a bean must not depend on Lockstep.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Lockstep lockstep(LockstepProperties p, Environment environment,
            ObjectProvider<LockstepDecisionStore> decisionStore, ObjectProvider<TransactionListener> listeners) {
        LockstepPropertiesValidator.validate(p, environment);
        LockstepDecisionStore store = decisionStore.getIfAvailable();
        Lockstep.Builder builder = Lockstep.builder();
        // Every TransactionListener bean hears this Lockstep's events (the meters of LockstepMetricsAutoConfiguration
        // among them), on Lockstep's event thread: none can delay a commit.
        listeners.orderedStream().forEach(builder::listener);
        try {
            return builder
                    .nodeId(p.getNodeId())
                    .logDirectory(p.getLogDirectory() == null ? null : p.getLogDirectory().toAbsolutePath())
                    .decisionStore(store == null ? null : store.store())
                    .defaultTimeout(p.getDefaultTimeout())
                    .parallelPhases(p.isParallelPhases())
                    .phaseThreads(p.getPhaseThreads())
                    .retryInitialDelay(p.getRetryInitialDelay())
                    .retryMaxDelay(p.getRetryMaxDelay())
                    .timeoutCheckInterval(p.getTimeoutCheckInterval())
                    .lostBranchWindow(p.getLostBranchWindow())
                    .drainTimeout(p.getDrainTimeout())
                    .logSegmentBytes(p.getLogSegmentSize().toBytes())
                    .groupCommitMaxBatchBytes((int) p.getGroupCommitMaxBatchSize().toBytes())
                    .groupCommitMaxWait(p.getGroupCommitMaxWait())
                    // The starter's own recovery (lockstep.recovery.*, LockstepRecovery) scans this node, with the
                    // DataSources and JMS factories it configured; the core's would only contend for the same lock.
                    .inProcessRecovery(false)
                    .build();
        } catch (RuntimeException e) {
            // Typically the log is locked by another process with the same node id and directory (invariant 4).
            throw new IllegalStateException(StarterMessage.LOCKSTEP_START_FAILED
                    + " Lockstep cannot start with lockstep.node-id=" + p.getNodeId()
                    + " and lockstep.log-directory=" + p.getLogDirectory() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Spring's JTA transaction manager over Lockstep. {@code @Transactional(timeout = n)} becomes
     * {@code setTransactionTimeout(n)} before begin; without it Lockstep's {@code lockstep.default-timeout} applies
     * (or {@code spring.transaction.default-timeout}, through Boot's customizers).
     */
    @Bean
    @ConditionalOnMissingBean(TransactionManager.class)
    public JtaTransactionManager transactionManager(Lockstep lockstep,
            ObjectProvider<TransactionManagerCustomizers> customizers) {
        JtaTransactionManager tm = new JtaTransactionManager(lockstep.userTransaction(),
                lockstep.transactionManager());
        tm.setTransactionSynchronizationRegistry(lockstep.transactionSynchronizationRegistry());
        customizers.ifAvailable(c -> c.customize(tm));
        return tm;
    }

    /**
     * The database decision store and its pool of plain connections, when {@code lockstep.decision-store.url} is set;
     * closed after the Lockstep that writes through it.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "lockstep.decision-store.url")
    public LockstepDecisionStore lockstepDecisionStore(LockstepProperties p, Environment environment)
            throws SQLException {
        LockstepPropertiesValidator.validate(p, environment);
        return LockstepDecisionStore.open(p.getDecisionStore());
    }

    /**
     * Scheduled in-process recovery over the configured resources. Each gets a recovery resource of its own (fresh
     * XA connections, never pooled ones, which may hold another branch), under the same name.
     */
    @Bean
    @ConditionalOnBooleanProperty(name = "lockstep.recovery.enabled", matchIfMissing = true)
    public LockstepRecovery lockstepRecovery(Lockstep lockstep, LockstepProperties p,
            ObjectProvider<RecoveryListener> listeners) {
        List<RecoverableResource> resources = new ArrayList<>();
        // Each vendor makes its own recovery resource; the validator has already found one for every URL.
        for (Map.Entry<String, LockstepProperties.DataSource> e : p.getDatasources().entrySet()) {
            LockstepProperties.DataSource ds = e.getValue();
            try {
                resources.add(LockstepPropertiesValidator.vendorOf(ds).recoverableResource(e.getKey(), ds.getUrl(),
                        ds.getUsername(), ds.getPassword()));
            } catch (IllegalArgumentException ex) {
                throw new IllegalStateException(StarterMessage.DATASOURCE_URL_INVALID + " lockstep.datasources."
                        + e.getKey() + ".url: " + ex.getMessage(), ex);
            }
        }
        for (Map.Entry<String, LockstepProperties.Jms> e : p.getJms().entrySet()) {
            LockstepProperties.Jms jms = e.getValue();
            resources.add(LockstepPropertiesValidator.vendorOf(jms).recoverableResource(e.getKey(),
                    jms.getBrokerUrl(), jms.getUsername(), jms.getPassword()));
        }
        LockstepProperties.RecoveryProperties r = p.getRecovery();
        PostgresDecisionStore store = lockstep.settings().decisionStore();
        Supplier<Recovery.Builder> target = store != null
                ? () -> Recovery.builder().decisionStore(store).allNodes()
                : () -> Recovery.builder().logDirectory(p.getLogDirectory().toAbsolutePath()).nodeId(lockstep.nodeId());
        return new LockstepRecovery(target, lockstep.nodeId(), resources, r.getInterval(), r.getInitialDelay(),
                r.getOrphanSafetyInterval(), listeners.orderedStream().toList());
    }
}
