package dev.lockstep.bench.real;

import com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple;
import com.mysql.cj.jdbc.MysqlXADataSource;
import dev.lockstep.bench.micro.NarayanaSystem;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.agroal.narayana.NarayanaTransactionIntegration;
import jakarta.jms.ConnectionFactory;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import javax.sql.XADataSource;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;
import org.messaginghub.pooled.jms.JmsPoolXAConnectionFactory;
import org.postgresql.xa.PGXADataSource;

/**
 * Narayana (default file store, sync on) with Agroal's own Narayana integration (agroal-narayana) for the databases
 * and pooled-jms' XA factory for the broker: the usual stand-alone Narayana stack, with the pool sizes of Lockstep's.
 */
final class NarayanaReal implements RealSystem {

    private final TransactionManager tm;
    private final AgroalDataSource pg;
    private final AgroalDataSource maria;
    private final JmsPoolXAConnectionFactory broker;
    private final Map<String, String> configuration = new LinkedHashMap<>();

    NarayanaReal(Path dir, RealServers servers, int poolSize) throws Exception {
        tm = NarayanaSystem.configure(dir, NarayanaSystem.Store.FILE, configuration);
        TransactionSynchronizationRegistry tsr = new TransactionSynchronizationRegistryImple();
        pg = pool(tm, tsr, PGXADataSource.class, servers.pgUrl(), servers, poolSize);
        maria = pool(tm, tsr, MysqlXADataSource.class, servers.mariaUrl(), servers, poolSize);
        broker = new JmsPoolXAConnectionFactory();
        broker.setConnectionFactory(new ActiveMQXAConnectionFactory(servers.brokerUrl()));
        broker.setTransactionManager(tm);
        broker.setMaxConnections(poolSize);
        configuration.put("JDBC", "Agroal AgroalDataSource with NarayanaTransactionIntegration(tm, tsr), "
                + "connectionProviderClass PGXADataSource / MysqlXADataSource, maxSize " + poolSize
                + ", initialSize 0");
        configuration.put("JMS", "pooled-jms JmsPoolXAConnectionFactory on ActiveMQXAConnectionFactory, "
                + "setTransactionManager(Narayana), maxConnections " + poolSize + ", other pool defaults");
    }

    private static AgroalDataSource pool(TransactionManager tm, TransactionSynchronizationRegistry tsr,
            Class<? extends XADataSource> driver, String url, RealServers servers, int poolSize) throws SQLException {
        AgroalDataSourceConfigurationSupplier cfg = new AgroalDataSourceConfigurationSupplier();
        cfg.connectionPoolConfiguration().maxSize(poolSize).initialSize(0).minSize(0)
                .transactionIntegration(new NarayanaTransactionIntegration(tm, tsr))
                .connectionFactoryConfiguration().connectionProviderClass(driver).jdbcUrl(url)
                .principal(new NamePrincipal(servers.user())).credential(new SimplePassword(servers.password()));
        return AgroalDataSource.from(cfg);
    }

    @Override
    public TransactionManager transactionManager() {
        return tm;
    }

    @Override
    public DataSource postgres() {
        return pg;
    }

    @Override
    public DataSource mariadb() {
        return maria;
    }

    @Override
    public ConnectionFactory broker() {
        return broker;
    }

    @Override
    public Map<String, String> configuration() {
        return configuration;
    }

    @Override
    public void close() {
        pg.close();
        maria.close();
        broker.stop();
    }
}
