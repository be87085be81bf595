package dev.lockstep.tm.internal.pgstore;

import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A JDBC DataSource whose statements answer as the test scripts them, for the database store's unit tests: the
 * writer's answer to each way a statement can end (written, fenced, failed in the server, connection lost) without a
 * server. The integration tests run the same code against a real PostgreSQL.
 */
final class FakeJdbc implements DataSource {

    /** What an INSERT of {@code rows} rows does: returns the update count or throws. */
    @FunctionalInterface
    interface InsertScript {
        int insert(int rows) throws SQLException;
    }

    volatile InsertScript insert = rows -> rows;
    /** What a batch of {@code rows} END records does: returns the update count or throws. */
    volatile InsertScript end = rows -> rows;
    final AtomicInteger endsWritten = new AtomicInteger();
    volatile SQLException getConnectionFailure;
    /** The lease row's epoch as {@code whyRefused} reads it. */
    volatile long epochInDatabase = 1;
    /** Whether the writer's own epoch bump (settling a broken write) finds the lease still its own. */
    volatile boolean leaseHeld = true;
    /** What counting a batch's COMMIT rows finds (settling a broken write). */
    volatile long commitRows;
    final AtomicInteger refences = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger inserts = new AtomicInteger();
    final AtomicInteger rowsInserted = new AtomicInteger();

    @Override
    public Connection getConnection() throws SQLException {
        SQLException f = getConnectionFailure;
        if (f != null) {
            throw f;
        }
        connections.incrementAndGet();
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (p, m, args) -> switch (m.getName()) {
                    case "prepareStatement" -> statement((String) args[0]);
                    case "createArrayOf" -> array(((Object[]) args[1]).length);
                    case "getAutoCommit", "isClosed" -> false;
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == args[0];
                    case "toString" -> "FakeJdbc connection";
                    default -> null;
                });
    }

    private PreparedStatement statement(String sql) {
        int[] rows = {0};
        return (PreparedStatement) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, (p, m, args) -> switch (m.getName()) {
                    case "setArray" -> {
                        if ((int) args[0] == 3) {
                            rows[0] = ((Array) args[1]).getBaseType();
                        }
                        yield null;
                    }
                    case "executeUpdate" -> {
                        if (sql.contains("INSERT INTO") && sql.contains("unnest(?::bytea[], ?::smallint[]")) {
                            inserts.incrementAndGet();
                            int n = insert.insert(rows[0]);
                            rowsInserted.addAndGet(n);
                            yield n;
                        }
                        if (sql.contains("kept AS (")) {
                            int n = end.insert(rows[0]);
                            endsWritten.addAndGet(rows[0]); // only once written: end.insert threw otherwise
                            yield n;
                        }
                        yield 0;
                    }
                    case "executeQuery" -> {
                        if (sql.contains("SET epoch = epoch + 1")) {
                            refences.incrementAndGet();
                            yield leaseHeld ? oneRow(++epochInDatabase, null) : noRow();
                        }
                        if (sql.contains("= ANY(")) {
                            yield oneRow(commitRows, null);
                        }
                        yield oneRow(epochInDatabase, "taker");
                    }
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == args[0];
                    default -> null;
                });
    }

    /** An array that only tells its length (as its "base type", which the fake statement reads back). */
    private Array array(int length) {
        return (Array) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Array.class},
                (p, m, args) -> m.getName().equals("getBaseType") ? length : null);
    }

    private ResultSet noRow() {
        return (ResultSet) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ResultSet.class},
                (p, m, args) -> m.getName().equals("next") ? false : null);
    }

    /** One row whose every long column is {@code value} and string column {@code text}; the lease looks held. */
    private ResultSet oneRow(long value, String text) {
        boolean[] read = {false};
        return (ResultSet) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ResultSet.class},
                (p, m, args) -> switch (m.getName()) {
                    case "next" -> {
                        boolean first = !read[0];
                        read[0] = true;
                        yield first;
                    }
                    case "getLong" -> value;
                    case "getString" -> text;
                    case "getBoolean" -> true;
                    default -> null;
                });
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return false;
    }
}
