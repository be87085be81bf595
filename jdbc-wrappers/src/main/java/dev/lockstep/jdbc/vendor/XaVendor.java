package dev.lockstep.jdbc.vendor;

import dev.lockstep.jdbc.JdbcMessage;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.XADataSource;
import javax.transaction.xa.XAResource;

/**
 * What one database product needs beyond plain XA (docs/design.md "vendor knowledge lives in tiny per-vendor classes"):
 * its XADataSource, how to decorate the XAResource of a pooled connection and of a recovery connection, and what to
 * check when a pool starts. Nothing outside the vendor classes asks which database it talks to.
 */
public interface XaVendor {

    /** The product name used in messages, e.g. {@code "PostgreSQL"}. */
    String displayName();

    /** The driver's XADataSource class, which the pool instantiates and configures. */
    Class<? extends XADataSource> xaDataSourceClass();

    /**
     * Decorates the XAResource of a pooled connection before it is enlisted. {@code connection} is the connection
     * handle of the same XAConnection (the one the application's statements run on).
     */
    /** Which SQL errors mean the connection is dead and must leave the pool. */
    default io.agroal.api.configuration.AgroalConnectionPoolConfiguration.ExceptionSorter exceptionSorter() {
        return io.agroal.api.configuration.AgroalConnectionPoolConfiguration.ExceptionSorter.defaultExceptionSorter();
    }

    default XAResource enlisted(XAResource raw, Connection connection) {
        return raw;
    }

    /**
     * Decorates the XAResource of a fresh connection opened for phase-two retries and recovery of the resource
     * named {@code resourceName}.
     */
    default XAResource forRecovery(XAResource raw, String resourceName) {
        return raw;
    }

    /**
     * Checks the server once when a pool starts, on a fresh, unpooled connection; throws an SQLException that says
     * what is wrong and what to set.
     */
    default void checkAtStart(Connection connection, String url, int poolMaxSize) throws SQLException {
    }

    /** A vendor without known quirks (H2, tests, other databases): no decoration, no start check. */
    static XaVendor generic(String displayName, Class<? extends XADataSource> xaDataSourceClass) {
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(xaDataSourceClass, "xaDataSourceClass");
        return new XaVendor() {
            @Override
            public String displayName() {
                return displayName;
            }

            @Override
            public Class<? extends XADataSource> xaDataSourceClass() {
                return xaDataSourceClass;
            }

            @Override
            public String toString() {
                return displayName;
            }
        };
    }

    /** Loads a driver class by name, failing with the Maven coordinates to add when the driver is missing. */
    static Class<? extends XADataSource> loadXaDataSource(String className, String product, String coordinates) {
        try {
            return Class.forName(className, true, XaVendor.class.getClassLoader()).asSubclass(XADataSource.class);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException(JdbcMessage.DRIVER_MISSING + " the " + product
                    + " JDBC driver is not on the class path ("
                    + className + " not found): add the dependency " + coordinates
                    + " to the application (lockstep-jdbc declares the drivers optional)", e);
        }
    }
}
