package dev.lockstep.jdbc.vendor;

import dev.lockstep.jdbc.JdbcMessage;
import dev.lockstep.jdbc.JdbcRecoverableResource;
import dev.lockstep.tm.spi.RecoverableResource;
import dev.lockstep.tm.spi.ResourceVendor;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import javax.sql.XADataSource;
import javax.transaction.xa.XAResource;

/**
 * MySQL and MariaDB through mysql-connector-j's {@code MysqlXADataSource} (docs/xa-quirks.md, MariaDB): its
 * {@code jdbc:mysql:} URLs (a {@code jdbc:mariadb:} one is recognised to say how to write it), its driver and the
 * driver's Maven coordinates, its recovery resource, and:
 * <ul>
 *   <li>branches are never joined: {@code isSameRM} is true for any connection to the same server, but
 *       {@code TMJOIN} is rejected;</li>
 *   <li>{@code pinGlobalTxToPhysicalConnection} must stay off (its static Xid-to-connection map sends the commit of
 *       a recovered Xid to a closed connection): a pool whose URL sets it to true refuses to start;</li>
 *   <li>a prepared branch stays attached to its session while the preparing connection is open, so phase two runs
 *       on the enlisted connection (the pool returns it only after completion), and a connection on which an XA call
 *       failed is destroyed instead of being pooled again (which also frees its branch for the retry from a fresh
 *       connection);</li>
 *   <li>{@code XA RECOVER} is server-wide and may need {@code XA_RECOVER_ADMIN} ({@link MySqlRecoveryXAResource});</li>
 *   <li>a prepared branch without writes is rolled back when its session ends, and its later commit answers
 *       {@code XA_RBROLLBACK}, which is no heuristic ({@link MySqlRecoveryXAResource}, docs/xa-quirks.md).</li>
 * </ul>
 */
public final class MySqlVendor implements XaVendor, ResourceVendor {

    /** The URLs of Connector/J, plain and DNS SRV. */
    public static final List<String> URL_PREFIXES = List.of("jdbc:mysql:", "jdbc:mysql+srv:");
    /** MariaDB's own driver's URLs: recognised, to say how to write them for Connector/J. */
    public static final String MARIADB_URL_PREFIX = "jdbc:mariadb:";
    public static final String DRIVER_CLASS = "com.mysql.cj.jdbc.MysqlXADataSource";
    public static final String DRIVER_COORDINATES = "com.mysql:mysql-connector-j";

    /** Agroal's own classification of this vendor's fatal SQL states and error codes. */
    @Override
    public io.agroal.api.configuration.AgroalConnectionPoolConfiguration.ExceptionSorter exceptionSorter() {
        return new io.agroal.api.exceptionsorter.MySQLExceptionSorter();
    }

    public static final MySqlVendor INSTANCE = new MySqlVendor();

    private MySqlVendor() {
    }

    @Override
    public String displayName() {
        return "MySQL/MariaDB";
    }

    @Override
    public Class<? extends XADataSource> xaDataSourceClass() {
        return XaVendor.loadXaDataSource(DRIVER_CLASS, displayName(), DRIVER_COORDINATES);
    }

    @Override
    public String kind() {
        return "mysql";
    }

    @Override
    public Category category() {
        return Category.DATABASE;
    }

    @Override
    public int order() {
        return 20;
    }

    @Override
    public boolean accepts(String url) {
        return url.startsWith(MARIADB_URL_PREFIX) || URL_PREFIXES.stream().anyMatch(url::startsWith);
    }

    @Override
    public String urlForm() {
        return "jdbc:mysql://host:3306/db (MySQL and MariaDB)";
    }

    /** A {@code jdbc:mariadb:} URL is MariaDB's own driver, which Lockstep does not drive. */
    @Override
    public String urlProblem(String url) {
        if (url.startsWith(MARIADB_URL_PREFIX)) {
            return "is a jdbc:mariadb: URL: Lockstep drives MariaDB through mysql-connector-j, write it as "
                    + "jdbc:mysql://host:port/db";
        }
        return null;
    }

    @Override
    public String hintFor(String word) {
        return word.toLowerCase(Locale.ROOT).contains("maria") ? "MariaDB is kind mysql" : null;
    }

    @Override
    public String driverClass() {
        return DRIVER_CLASS;
    }

    @Override
    public String driverCoordinates() {
        return DRIVER_COORDINATES;
    }

    /** Refuses what {@link #urlProblem} refuses, and a URL that pins branches to connections. */
    @Override
    public RecoverableResource recoverableResource(String name, String url, String user, String password) {
        String problem = urlProblem(url);
        if (problem != null) {
            throw new IllegalArgumentException("'" + url + "' " + problem);
        }
        try {
            return JdbcRecoverableResource.mysql(name, url, user, password);
        } catch (SQLException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public XAResource forRecovery(XAResource raw, String resourceName) {
        return new MySqlRecoveryXAResource(raw, "resource '" + resourceName + "'");
    }

    @Override
    public void checkAtStart(Connection connection, String url, int poolMaxSize) throws SQLException {
        requireNoPinning(url);
    }

    /** Refuses {@code pinGlobalTxToPhysicalConnection=true} in the URL (docs/xa-quirks.md). */
    public static void requireNoPinning(String url) throws SQLException {
        String lower = url == null ? "" : url.toLowerCase(Locale.ROOT).replace(" ", "");
        if (lower.contains("pinglobaltxtophysicalconnection=true")) {
            throw new SQLException(JdbcMessage.MYSQL_PINNED_XIDS + " the MySQL/MariaDB URL " + url
                    + " sets pinGlobalTxToPhysicalConnection="
                    + "true: remove it. Its static Xid-to-connection map sends the commit of a recovered branch to a "
                    + "closed connection (docs/xa-quirks.md); Lockstep runs phase two on the preparing connection "
                    + "itself");
        }
    }

    @Override
    public String toString() {
        return displayName();
    }
}
