package dev.lockstep.jdbc.vendor;

import dev.lockstep.jdbc.JdbcMessage;
import dev.lockstep.jdbc.JdbcRecoverableResource;
import dev.lockstep.tm.spi.RecoverableResource;
import dev.lockstep.tm.spi.ResourceVendor;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.XADataSource;
import javax.transaction.xa.XAResource;

/**
 * PostgreSQL through pgjdbc's {@code PGXADataSource} (docs/xa-quirks.md, PostgreSQL): its {@code jdbc:postgresql:}
 * URLs, its driver and the driver's Maven coordinates, its recovery resource, and:
 * <ul>
 *   <li>a pool refuses to start while {@code max_prepared_transactions} is below its size: with the default 0 every
 *       prepare fails;</li>
 *   <li>each enlisted connection votes rollback when a statement of its branch failed
 *       ({@link PostgreSqlFailedBranchVeto});</li>
 *   <li>branches are never joined ({@code isSameRM} is only true for the very same resource) and never suspended
 *       (no {@code TMSUSPEND}/{@code TMRESUME}); the pool enlists one branch per connection.</li>
 * </ul>
 */
public final class PostgreSqlVendor implements XaVendor, ResourceVendor {

    /** The URLs of pgjdbc. */
    public static final String URL_PREFIX = "jdbc:postgresql:";
    public static final String DRIVER_CLASS = "org.postgresql.xa.PGXADataSource";
    public static final String DRIVER_COORDINATES = "org.postgresql:postgresql";

    /** Agroal's own classification of this vendor's fatal SQL states and error codes. */
    @Override
    public io.agroal.api.configuration.AgroalConnectionPoolConfiguration.ExceptionSorter exceptionSorter() {
        return new io.agroal.api.exceptionsorter.PostgreSQLExceptionSorter();
    }

    public static final PostgreSqlVendor INSTANCE = new PostgreSqlVendor();

    private PostgreSqlVendor() {
    }

    @Override
    public String displayName() {
        return "PostgreSQL";
    }

    @Override
    public Class<? extends XADataSource> xaDataSourceClass() {
        return XaVendor.loadXaDataSource(DRIVER_CLASS, displayName(), DRIVER_COORDINATES);
    }

    @Override
    public String kind() {
        return "postgresql";
    }

    @Override
    public Category category() {
        return Category.DATABASE;
    }

    @Override
    public int order() {
        return 10;
    }

    @Override
    public boolean accepts(String url) {
        return url.startsWith(URL_PREFIX);
    }

    @Override
    public String urlForm() {
        return "jdbc:postgresql://host:5432/db";
    }

    @Override
    public String driverClass() {
        return DRIVER_CLASS;
    }

    @Override
    public String driverCoordinates() {
        return DRIVER_COORDINATES;
    }

    @Override
    public RecoverableResource recoverableResource(String name, String url, String user, String password) {
        return JdbcRecoverableResource.postgresql(name, url, user, password);
    }

    @Override
    public XAResource enlisted(XAResource raw, Connection connection) {
        return new PostgreSqlFailedBranchVeto(raw, () -> PgState.aborted(connection));
    }

    @Override
    public void checkAtStart(Connection connection, String url, int poolMaxSize) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SHOW max_prepared_transactions")) {
            if (!rs.next()) {
                throw new SQLException(JdbcMessage.POSTGRESQL_SETTING_UNREADABLE + " PostgreSQL at " + url
                        + " returned no row for "
                        + "SHOW max_prepared_transactions: check that the URL points to a PostgreSQL server");
            }
            requireEnoughPreparedTransactions(url, Integer.parseInt(rs.getString(1).trim()), poolMaxSize);
        } catch (NumberFormatException e) {
            throw new SQLException(JdbcMessage.POSTGRESQL_SETTING_UNREADABLE + " PostgreSQL at " + url
                    + " answered SHOW max_prepared_transactions with "
                    + "a value that is not a number: " + e.getMessage(), e);
        }
    }

    /**
     * Fails unless {@code maxPreparedTransactions} can hold a prepared branch for every connection of the pool.
     * PostgreSQL's default is 0, with which every {@code PREPARE TRANSACTION} fails (docs/xa-quirks.md).
     */
    public static void requireEnoughPreparedTransactions(String url, int maxPreparedTransactions, int poolMaxSize)
            throws SQLException {
        if (maxPreparedTransactions == 0 || maxPreparedTransactions < poolMaxSize) {
            int suggested = Math.max(poolMaxSize, 100);
            throw new SQLException(JdbcMessage.POSTGRESQL_TOO_FEW_PREPARED + " PostgreSQL at " + url
                    + " has max_prepared_transactions = " + maxPreparedTransactions + ", so it cannot prepare "
                    + (maxPreparedTransactions == 0 ? "XA branches" : "a branch on every connection of this pool "
                    + "(maximum size " + poolMaxSize + ")")
                    + ": set max_prepared_transactions to at least " + poolMaxSize + " (e.g. " + suggested
                    + ") in postgresql.conf and restart the server", "55000");
        }
    }

    /** Reads pgjdbc's view of the server transaction; kept apart so the driver classes load only when used. */
    private static final class PgState {
        static boolean aborted(Connection connection) throws SQLException {
            org.postgresql.core.BaseConnection pg = connection.unwrap(org.postgresql.core.BaseConnection.class);
            return pg.getTransactionState() == org.postgresql.core.TransactionState.FAILED;
        }
    }

    @Override
    public String toString() {
        return displayName();
    }
}
