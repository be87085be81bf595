package dev.lockstep.jdbc;

import dev.lockstep.jdbc.vendor.MySqlVendor;
import dev.lockstep.jdbc.vendor.PostgreSqlVendor;
import dev.lockstep.jdbc.vendor.XaVendor;
import dev.lockstep.tm.Lockstep;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration;
import io.agroal.api.configuration.AgroalDataSourceConfiguration;
import io.agroal.api.configuration.supplier.AgroalConnectionFactoryConfigurationSupplier;
import io.agroal.api.configuration.supplier.AgroalConnectionPoolConfigurationSupplier;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import javax.sql.XAConnection;

/**
 * Pooled, auto-enlisting XA DataSources on Agroal, one obvious call per database:
 *
 * <pre>{@code
 * AgroalDataSource orders = LockstepDataSources.postgresql(lockstep, "orders-db",
 *         "jdbc:postgresql://127.0.0.1:5432/orders", "user", "pw", 10);
 * AgroalDataSource billing = LockstepDataSources.mysql(lockstep, "billing-db",
 *         "jdbc:mysql://127.0.0.1:3306/billing", "user", "pw", 10);
 * }</pre>
 *
 * <p>Each DataSource is a resource of {@code lockstep} under its name, which must be unique and stable across
 * restarts (it is written into the decision log, docs/design.md invariant 3); closing the DataSource unregisters it.
 * The
 * pool is checked once at start (PostgreSQL: {@code max_prepared_transactions}); a failed check closes it again.
 *
 * <p>Settings of the short forms: initial and minimum size 0, acquisition timeout 30 s, Agroal's defaults otherwise.
 * The forms taking a customizer receive Agroal's configuration supplier with these set, for anything more. Whatever
 * the customizer does, the pool keeps Lockstep's transaction integration, recovery enabled, and recovery connections
 * that are new XAConnections rather than pooled ones.
 */
public final class LockstepDataSources {

    /** Connections idle longer than this are validated before use (a cheap isValid round trip). */
    static final java.time.Duration IDLE_VALIDATION = java.time.Duration.ofSeconds(1);

    /** How long {@code getConnection()} waits for a free connection in the short forms. */
    public static final Duration DEFAULT_ACQUISITION_TIMEOUT = Duration.ofSeconds(30);

    private LockstepDataSources() {
    }

    /** A pool of {@code maxSize} PostgreSQL XA connections enlisted under {@code resourceName}. */
    public static AgroalDataSource postgresql(Lockstep lockstep, String resourceName, String url, String user,
            String password, int maxSize) throws SQLException {
        return postgresql(lockstep, resourceName, url, user, password, maxSize, cfg -> { });
    }

    /** As {@link #postgresql(Lockstep, String, String, String, String, int)}, then {@code customizer} on the rest. */
    public static AgroalDataSource postgresql(Lockstep lockstep, String resourceName, String url, String user,
            String password, int maxSize, Consumer<AgroalDataSourceConfigurationSupplier> customizer)
            throws SQLException {
        return create(lockstep, resourceName, PostgreSqlVendor.INSTANCE,
                connect(url, user, password, maxSize).andThen(customizer));
    }

    /** A pool of {@code maxSize} MySQL/MariaDB XA connections enlisted under {@code resourceName}. */
    public static AgroalDataSource mysql(Lockstep lockstep, String resourceName, String url, String user,
            String password, int maxSize) throws SQLException {
        return mysql(lockstep, resourceName, url, user, password, maxSize, cfg -> { });
    }

    /** As {@link #mysql(Lockstep, String, String, String, String, int)}, then {@code customizer} on the rest. */
    public static AgroalDataSource mysql(Lockstep lockstep, String resourceName, String url, String user,
            String password, int maxSize, Consumer<AgroalDataSourceConfigurationSupplier> customizer)
            throws SQLException {
        return create(lockstep, resourceName, MySqlVendor.INSTANCE,
                connect(url, user, password, maxSize).andThen(customizer));
    }

    /**
     * A pool of {@code maxSize} XA connections of {@code vendor}'s database enlisted under {@code resourceName}, then
     * {@code customizer} on the rest: the short forms for a vendor chosen at run time (by URL, from configuration).
     */
    public static AgroalDataSource create(Lockstep lockstep, String resourceName, XaVendor vendor, String url,
            String user, String password, int maxSize, Consumer<AgroalDataSourceConfigurationSupplier> customizer)
            throws SQLException {
        return create(lockstep, resourceName, vendor, connect(url, user, password, maxSize).andThen(customizer));
    }

    /**
     * A pool for any XA database: {@code configuration} sets at least the JDBC URL and the maximum size on Agroal's
     * supplier (the vendor's XADataSource class is preset). Used by the short forms, and for databases without a
     * vendor class ({@link XaVendor#generic}).
     *
     * @throws IllegalStateException if {@code lockstep} already has a resource named {@code resourceName}
     * @throws SQLException if the pool cannot start or the vendor's start check fails
     */
    public static AgroalDataSource create(Lockstep lockstep, String resourceName, XaVendor vendor,
            Consumer<AgroalDataSourceConfigurationSupplier> configuration) throws SQLException {
        Objects.requireNonNull(lockstep, "lockstep");
        Objects.requireNonNull(vendor, "vendor");
        Objects.requireNonNull(configuration, "configuration");
        AgroalDataSourceConfigurationSupplier cfg = new AgroalDataSourceConfigurationSupplier();
        AgroalConnectionPoolConfigurationSupplier pool = cfg.connectionPoolConfiguration();
        AgroalConnectionFactoryConfigurationSupplier factory = pool.connectionFactoryConfiguration();
        factory.connectionProviderClass(vendor.xaDataSourceClass());
        poolDefaults(pool, vendor.exceptionSorter());
        configuration.accept(cfg);

        LockstepTransactionIntegration integration = new LockstepTransactionIntegration(lockstep, resourceName,
                vendor);
        // After the customizer, so these cannot be undone: enlistment through Lockstep, the recovery factory
        // registered (it is how the resource opens connections), and recovery connections that are new
        // XAConnections, never pooled ones (a pooled one may hold another branch, docs/xa-quirks.md MariaDB).
        pool.transactionIntegration(integration).recoveryEnable(true);
        factory.poolRecovery(false);

        AgroalDataSource ds;
        AgroalDataSourceConfiguration built;
        try {
            built = cfg.get();
            ds = new LockstepDataSource(AgroalDataSource.from(built), integration);
        } catch (SQLException | RuntimeException e) {
            integration.unregister();
            throw e;
        }
        try {
            checkAtStart(integration, built);
        } catch (SQLException | RuntimeException e) {
            ds.close();
            integration.unregister();
            throw e;
        }
        return ds;
    }

    /**
     * A pool of {@code maxSize} plain (non-XA) PostgreSQL connections that never enlist: the connections of the
     * database decision store ({@code dev.lockstep.tm.store.PostgresDecisionStore}, docs/cluster.md), which writes its
     * own autocommit statements beside the application's transactions. Two connections are enough for one
     * transaction manager (its writer and its lease); a recovery that takes over other nodes uses one more.
     */
    public static AgroalDataSource decisionStore(String url, String user, String password, int maxSize)
            throws SQLException {
        AgroalDataSourceConfigurationSupplier cfg = new AgroalDataSourceConfigurationSupplier();
        AgroalConnectionPoolConfigurationSupplier pool = cfg.connectionPoolConfiguration();
        poolDefaults(pool, PostgreSqlVendor.INSTANCE.exceptionSorter());
        // No provider class: Agroal finds pgjdbc's Driver through DriverManager by the URL.
        pool.connectionFactoryConfiguration().autoCommit(true);
        connect(url, user, password, maxSize).accept(cfg);
        return AgroalDataSource.from(cfg.get());
    }

    /**
     * What every Lockstep pool starts from: empty, 30 s to acquire, and no dead connection handed out after a database
     * restart (the vendor's sorter flushes a connection on a fatal error, and one that sat idle is validated first).
     */
    private static void poolDefaults(AgroalConnectionPoolConfigurationSupplier pool,
            AgroalConnectionPoolConfiguration.ExceptionSorter sorter) {
        pool.initialSize(0).minSize(0).acquisitionTimeout(DEFAULT_ACQUISITION_TIMEOUT).exceptionSorter(sorter)
                .connectionValidator(AgroalConnectionPoolConfiguration.ConnectionValidator.defaultValidator())
                .idleValidationTimeout(IDLE_VALIDATION);
    }

    private static Consumer<AgroalDataSourceConfigurationSupplier> connect(String url, String user, String password,
            int maxSize) {
        Objects.requireNonNull(url, "url");
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be at least 1, got " + maxSize);
        }
        return cfg -> {
            AgroalConnectionPoolConfigurationSupplier pool = cfg.connectionPoolConfiguration();
            pool.maxSize(maxSize);
            AgroalConnectionFactoryConfigurationSupplier factory = pool.connectionFactoryConfiguration();
            factory.jdbcUrl(url);
            if (user != null) {
                factory.principal(new NamePrincipal(user));
            }
            if (password != null) {
                factory.credential(new SimplePassword(password));
            }
        };
    }

    /** Runs the vendor's start check on a fresh, unpooled connection (never enlisted, whatever the thread runs). */
    private static void checkAtStart(LockstepTransactionIntegration integration, AgroalDataSourceConfiguration built)
            throws SQLException {
        AgroalConnectionPoolConfiguration pool = built.connectionPoolConfiguration();
        String url = pool.connectionFactoryConfiguration().jdbcUrl();
        XAConnection xa;
        try {
            xa = ((PoolRecoverableResource) integration.recoverableResource()).openXaConnection();
        } catch (SQLException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new SQLException(JdbcMessage.SERVER_CHECK_CONNECT_FAILED + " cannot open a connection to " + url
                    + " to check the server: " + e.getMessage(), e);
        }
        try (Connection c = xa.getConnection()) {
            integration.vendor().checkAtStart(c, url, pool.maxSize());
        } finally {
            xa.close();
        }
    }
}
