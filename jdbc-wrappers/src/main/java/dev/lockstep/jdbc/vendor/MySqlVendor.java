package dev.lockstep.jdbc.vendor;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.XADataSource;
import javax.transaction.xa.XAResource;

/**
 * MySQL and MariaDB through mysql-connector-j's {@code MysqlXADataSource} (XA-QUIRKS.md, MariaDB):
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
public final class MySqlVendor implements XaVendor {

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
        return XaVendor.loadXaDataSource("com.mysql.cj.jdbc.MysqlXADataSource", "MySQL/MariaDB",
                "com.mysql:mysql-connector-j");
    }

    @Override
    public XAResource forRecovery(XAResource raw, String resourceName) {
        return new MySqlRecoveryXAResource(raw, "resource '" + resourceName + "'");
    }

    @Override
    public void checkAtStart(Connection connection, String url, int poolMaxSize) throws SQLException {
        requireNoPinning(url);
    }

    /** Refuses {@code pinGlobalTxToPhysicalConnection=true} in the URL (XA-QUIRKS.md). */
    public static void requireNoPinning(String url) throws SQLException {
        String lower = url == null ? "" : url.toLowerCase(Locale.ROOT).replace(" ", "");
        if (lower.contains("pinglobaltxtophysicalconnection=true")) {
            throw new SQLException("LKS-414 the MySQL/MariaDB URL " + url + " sets pinGlobalTxToPhysicalConnection="
                    + "true: remove it. Its static Xid-to-connection map sends the commit of a recovered branch to a "
                    + "closed connection (XA-QUIRKS.md); Lockstep runs phase two on the preparing connection itself");
        }
    }

    @Override
    public String toString() {
        return displayName();
    }
}
