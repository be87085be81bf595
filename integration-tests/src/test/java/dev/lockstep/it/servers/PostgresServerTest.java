package dev.lockstep.it.servers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.servers.ManagedServer;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.XADataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.xa.PGXADataSource;

/** The private PostgreSQL instance works for XA and keeps prepared branches across kill -9. */
class PostgresServerTest extends DatabaseServerTest {

    @Override
    ManagedServer server() {
        return Servers.postgres();
    }

    @Override
    String createTable(String name) {
        return "CREATE TABLE " + name + " (id INT PRIMARY KEY, v TEXT NOT NULL)";
    }

    @Override
    Connection connect() throws SQLException {
        return DriverManager.getConnection(Servers.postgres().jdbcUrl(), PostgresServer.USER, PostgresServer.PASSWORD);
    }

    @Override
    XADataSource dataSource() {
        PGXADataSource dataSource = new PGXADataSource();
        dataSource.setUrl(Servers.postgres().jdbcUrl());
        dataSource.setUser(PostgresServer.USER);
        dataSource.setPassword(PostgresServer.PASSWORD);
        return dataSource;
    }

    @Test
    void maxPreparedTransactionsIsAtLeast100() throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SHOW max_prepared_transactions")) {
            assertTrue(rs.next());
            int max = Integer.parseInt(rs.getString(1));
            assertTrue(max >= 100, "max_prepared_transactions is " + max + ", the tests need at least 100");
        }
    }
}
