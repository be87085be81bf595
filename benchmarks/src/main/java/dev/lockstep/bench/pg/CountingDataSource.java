package dev.lockstep.bench.pg;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.logging.Logger;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * A DataSource that counts, on the client side, what a system sends to the database through it: statements executed
 * (each one round trip; pgjdbc sends an implicit BEGIN with the first statement of a transaction, in the same round
 * trip) and database commits (a statement executed in autocommit mode, or an explicit {@code commit()} of a
 * transaction that executed something, itself one more round trip). Everything else passes through unchanged.
 */
public final class CountingDataSource implements DataSource {

    private final DataSource target;
    private final LongAdder statements = new LongAdder();
    private final LongAdder commits = new LongAdder();
    private final LongAdder explicitCommits = new LongAdder();

    public CountingDataSource(DataSource target) {
        this.target = target;
    }

    /** Statements executed (round trips, not counting the explicit commits). */
    public long statements() {
        return statements.sum();
    }

    /** Database commits: autocommit statements plus explicit commits. */
    public long commits() {
        return commits.sum();
    }

    /** Round trips: statements plus explicit commits. */
    public long roundTrips() {
        return statements.sum() + explicitCommits.sum();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(target.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return wrap(target.getConnection(username, password));
    }

    private Connection wrap(Connection c) {
        boolean[] pending = {false}; // a statement ran since the last commit (autocommit off)
        InvocationHandler h = (proxy, m, args) -> {
            String name = m.getName();
            if (name.equals("commit")) {
                Object result = invoke(c, m, args);
                if (pending[0]) {
                    pending[0] = false;
                    commits.increment();
                    explicitCommits.increment();
                }
                return result;
            }
            if (name.equals("rollback") && (args == null || args.length == 0)) {
                pending[0] = false;
                return invoke(c, m, args);
            }
            Object result = invoke(c, m, args);
            if (result instanceof Statement s && (name.startsWith("prepare") || name.equals("createStatement"))) {
                return statement(c, s, pending);
            }
            return result;
        };
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                h);
    }

    private Statement statement(Connection c, Statement s, boolean[] pending) {
        Class<?>[] interfaces = s instanceof java.sql.CallableStatement
                ? new Class<?>[] {java.sql.CallableStatement.class}
                : s instanceof java.sql.PreparedStatement ? new Class<?>[] {java.sql.PreparedStatement.class}
                : new Class<?>[] {Statement.class};
        InvocationHandler h = (proxy, m, args) -> {
            Object result = invoke(s, m, args);
            if (m.getName().startsWith("execute")) {
                statements.increment();
                if (c.getAutoCommit()) {
                    commits.increment();
                } else {
                    pending[0] = true;
                }
            }
            return result;
        };
        return (Statement) Proxy.newProxyInstance(Statement.class.getClassLoader(), interfaces, h);
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return target.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return target.isWrapperFor(iface);
    }
}
