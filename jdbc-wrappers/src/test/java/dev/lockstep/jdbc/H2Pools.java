package dev.lockstep.jdbc;

import dev.lockstep.jdbc.vendor.XaVendor;
import dev.lockstep.tm.Lockstep;
import io.agroal.api.AgroalDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;

/** H2 in-memory XA pools for the tests (H2's JdbcDataSource is an XADataSource). */
final class H2Pools {

    static final XaVendor H2 = XaVendor.generic("H2", JdbcDataSource.class);

    private H2Pools() {
    }

    static AgroalDataSource pool(Lockstep lockstep, String name, int maxSize) throws SQLException {
        String url = "jdbc:h2:mem:" + name + "-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        AgroalDataSource ds = LockstepDataSources.create(lockstep, name, H2, cfg -> {
            cfg.metricsEnabled(true);
            cfg.connectionPoolConfiguration().maxSize(maxSize).connectionFactoryConfiguration().jdbcUrl(url);
        });
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
        }
        return ds;
    }

    static void insert(Connection c, int id) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO t VALUES (" + id + ", 'v" + id + "')");
        }
    }

    static int count(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Counts rows on a fresh connection outside any transaction. */
    static int countOutside(AgroalDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            return count(c);
        }
    }
}
