package dev.lockstep.jdbc;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.AgroalDataSourceMetrics;
import io.agroal.api.AgroalPoolInterceptor;
import io.agroal.api.configuration.AgroalDataSourceConfiguration;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Collection;
import java.util.List;
import java.util.logging.Logger;

/**
 * The pool the application gets from {@link LockstepDataSources}: Agroal's, with one step added after every
 * {@code getConnection()}, the end of the hand-out ({@link LockstepTransactionIntegration#finishHandOut}).
 *
 * <p>Agroal enlists a connection ({@code associate}) and only then creates the handle it gives the application. A
 * transaction completed on another thread in between (the reaper's timeout, a rollback from elsewhere) must not hand
 * the connection back to the pool before that handle exists, or the application's {@code close()} pools it a second
 * time. The integration holds such a return back until this class says the hand-out is over; the application then
 * gets {@link JdbcMessage#ENDED_DURING_HAND_OUT} instead of a handle to a connection it no longer owns.
 */
final class LockstepDataSource implements AgroalDataSource {

    private static final long serialVersionUID = 1L;

    private final AgroalDataSource pool;
    private final transient LockstepTransactionIntegration integration;

    LockstepDataSource(AgroalDataSource pool, LockstepTransactionIntegration integration) {
        this.pool = pool;
        this.integration = integration;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return handedOut(handOut(false));
    }

    @Override
    public Connection getReadOnlyConnection() throws SQLException {
        return handedOut(handOut(true));
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return pool.getConnection(username, password); // Agroal refuses it: a pool connects as its configured user
    }

    private Connection handOut(boolean readOnly) throws SQLException {
        try {
            return readOnly ? pool.getReadOnlyConnection() : pool.getConnection();
        } catch (SQLException | RuntimeException | Error e) {
            integration.finishHandOut();
            throw e;
        }
    }

    private Connection handedOut(Connection connection) throws SQLException {
        int completed = integration.finishHandOut();
        if (completed < 0) {
            return connection;
        }
        connection.close(); // already closed with the connection's return; closing again is a no-op
        throw new SQLException(JdbcMessage.ENDED_DURING_HAND_OUT + " the transaction of this thread ended (status "
                + LockstepTransactionIntegration.statusName(completed) + ") on another thread while '"
                + integration.resourceName() + "' was handing out its connection (timed out, or rolled back from "
                + "elsewhere), so no work can join it. Call rollback() to end it on this thread and begin a new one");
    }

    @Override
    public AgroalDataSourceConfiguration getConfiguration() {
        return pool.getConfiguration();
    }

    @Override
    public AgroalDataSourceMetrics getMetrics() {
        return pool.getMetrics();
    }

    @Override
    public void flush(FlushMode mode) {
        pool.flush(mode);
    }

    @Override
    public void setPoolInterceptors(Collection<? extends AgroalPoolInterceptor> interceptors) {
        pool.setPoolInterceptors(interceptors);
    }

    @Override
    public List<AgroalPoolInterceptor> getPoolInterceptors() {
        return pool.getPoolInterceptors();
    }

    @Override
    public boolean isHealthy(boolean newConnection) throws SQLException {
        return pool.isHealthy(newConnection);
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : pool.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || pool.isWrapperFor(type);
    }

    @Override
    public String toString() {
        return pool.toString();
    }
}
