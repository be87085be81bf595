package dev.lockstep.bench.micro;

import com.atomikos.icatch.jta.UserTransactionManager;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.transaction.xa.XAResource;

/**
 * Atomikos TransactionsEssentials (the jakarta variant of transactions-jta) with its file log on local disk. Its
 * open-source FileSystemRepository forces every log write (there is no switch for it); logging is on by default and
 * set explicitly here. Configured through system properties (read once per JVM): each trial runs in its own JVM.
 */
public final class AtomikosSystem implements TxSystem {

    private static final java.util.concurrent.atomic.AtomicInteger REGISTERED =
            new java.util.concurrent.atomic.AtomicInteger();

    private final UserTransactionManager utm;
    private final Map<String, String> configuration = new LinkedHashMap<>();

    public AtomikosSystem(Path dir) throws Exception {
        set("com.atomikos.icatch.log_base_dir", dir.resolve("atomikos-log").toString());
        set("com.atomikos.icatch.log_base_name", "tmlog");
        set("com.atomikos.icatch.enable_logging", "true");
        set("com.atomikos.icatch.tm_unique_name", "bench");
        // The default of 50 concurrent transactions would refuse the 64-thread runs.
        set("com.atomikos.icatch.max_actives", "-1");
        set("com.atomikos.icatch.force_shutdown_on_vm_exit", "false");
        configuration.put("resources", "each registered with Configuration.addResource as an "
                + "XATransactionalResource (required to enlist it)");
        configuration.put("other", "defaults of transactions-defaults.properties (checkpoint_interval=500, "
                + "default_jta_timeout=10000 ms, ...)");
        utm = new UserTransactionManager();
        utm.setForceShutdown(true);
        utm.init();
    }

    private void set(String key, String value) {
        System.setProperty(key, value);
        configuration.put(key, value);
    }

    /** Registers each resource with Atomikos under a name unique in this JVM (see {@link AtomikosResource}). */
    @Override
    public XAResource[] adopt(CountingXAResource[] resources) {
        for (CountingXAResource r : resources) {
            com.atomikos.icatch.config.Configuration.addResource(
                    new AtomikosResource(r.name() + "-" + REGISTERED.incrementAndGet(), r));
        }
        return resources.clone();
    }

    /** Atomikos' TransactionManager, for workloads that enlist resources of their own. */
    public TransactionManager transactionManager() {
        return utm;
    }

    @Override
    public void transaction(XAResource[] resources) throws Exception {
        JtaTransactions.run(utm, resources);
    }

    @Override
    public Map<String, String> configuration() {
        return configuration;
    }

    @Override
    public void close() {
        utm.close();
    }
}
