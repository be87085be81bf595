package dev.lockstep.jdbc;

import dev.lockstep.jdbc.vendor.MySqlVendor;
import dev.lockstep.jdbc.vendor.PostgreSqlVendor;
import dev.lockstep.jdbc.vendor.XaVendor;
import dev.lockstep.tm.spi.NamedXAResource;
import dev.lockstep.tm.spi.RecoverableResource;
import java.lang.reflect.InvocationTargetException;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAResource;

/**
 * A database known by name and connection settings alone, without a pool: what the recovery service builds from
 * its configuration. Each {@link #connect()} opens a new XA connection (never a pooled one, which may hold another
 * branch: docs/xa-quirks.md, MariaDB) and wraps its XAResource the vendor's recovery way (MariaDB's server-wide
 * {@code XA RECOVER} filtered to Lockstep's XIDs, its missing privilege explained).
 *
 * <p>PostgreSQL's {@code recover()} lists only the connection's own database, so a resource is one (server,
 * database) pair, as its URL says.
 */
public final class JdbcRecoverableResource implements RecoverableResource {

    private final String name;
    private final XaVendor vendor;
    private final String url;
    private final String user;
    private final String password;

    private JdbcRecoverableResource(String name, XaVendor vendor, String url, String user, String password) {
        this.name = NamedXAResource.requireValidName(name);
        this.vendor = vendor;
        this.url = Objects.requireNonNull(url, "url");
        this.user = user;
        this.password = password;
    }

    public static JdbcRecoverableResource postgresql(String name, String url, String user, String password) {
        return new JdbcRecoverableResource(name, PostgreSqlVendor.INSTANCE, url, user, password);
    }

    public static JdbcRecoverableResource mysql(String name, String url, String user, String password)
            throws SQLException {
        MySqlVendor.requireNoPinning(url);
        return new JdbcRecoverableResource(name, MySqlVendor.INSTANCE, url, user, password);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public RecoveryConnection connect() throws SQLException {
        XAConnection connection = dataSource().getXAConnection(user, password);
        XAResource xa;
        try {
            xa = vendor.forRecovery(connection.getXAResource(), name);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return new RecoveryConnection() {
            @Override
            public XAResource xaResource() {
                return xa;
            }

            @Override
            public void close() throws SQLException {
                connection.close();
            }
        };
    }

    /** The vendor's XADataSource with the URL set; both pgjdbc and Connector/J take it through {@code setUrl}. */
    private XADataSource dataSource() throws SQLException {
        Class<? extends XADataSource> type = vendor.xaDataSourceClass();
        try {
            XADataSource ds = type.getDeclaredConstructor().newInstance();
            type.getMethod("setUrl", String.class).invoke(ds, url);
            return ds;
        } catch (InvocationTargetException e) {
            throw new SQLException(JdbcMessage.URL_REFUSED + " the URL of resource '" + name + "' was refused by "
                    + type.getName() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new SQLException(JdbcMessage.XA_DATASOURCE_UNCONFIGURABLE + " cannot configure " + type.getName()
                    + " for resource '" + name + "': " + e, e);
        }
    }

    @Override
    public String toString() {
        return vendor + " resource '" + name + "' at " + url;
    }
}
