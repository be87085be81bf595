package dev.lockstep.it.servers;

import dev.lockstep.testkit.servers.ManagedServer;
import dev.lockstep.testkit.servers.MariaDbServer;
import dev.lockstep.testkit.servers.Servers;
import com.mysql.cj.jdbc.MysqlXADataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import javax.sql.XADataSource;

/** The private MariaDB instance works for XA through mysql-connector-j and keeps prepared branches across kill -9. */
class MariaDbServerTest extends DatabaseServerTest {

    @Override
    ManagedServer server() {
        return Servers.mariadb();
    }

    @Override
    String createTable(String name) {
        return "CREATE TABLE " + name + " (id INT PRIMARY KEY, v VARCHAR(100) NOT NULL) ENGINE=InnoDB";
    }

    @Override
    Connection connect() throws SQLException {
        return DriverManager.getConnection(Servers.mariadb().jdbcUrl(), MariaDbServer.USER, MariaDbServer.PASSWORD);
    }

    @Override
    XADataSource dataSource() {
        MysqlXADataSource dataSource = new MysqlXADataSource();
        dataSource.setUrl(Servers.mariadb().jdbcUrl());
        dataSource.setUser(MariaDbServer.USER);
        dataSource.setPassword(MariaDbServer.PASSWORD);
        return dataSource;
    }
}
