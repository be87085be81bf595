package dev.lockstep.it;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A DataSource that stands for a client paused at one moment (a long GC pause, SIGSTOP, a frozen VM): the thread that
 * runs the {@code pauseAt}-th statement executed inside a transaction (auto-commit off) stops right after the
 * server answered it, with its connection and transaction open, until {@link #release()}. Every statement run
 * inside a transaction is recorded, so a test can also say that a path runs none.
 */
final class PausingDataSource {

    private final DataSource inner;
    private final int pauseAt;
    private final AtomicInteger inTransaction = new AtomicInteger();
    private final List<String> statements = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch paused = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    /** {@code pauseAt} = 0: never pauses, only records. */
    PausingDataSource(DataSource inner, int pauseAt) {
        this.inner = inner;
        this.pauseAt = pauseAt;
    }

    DataSource dataSource() {
        return proxy(DataSource.class, inner, (target, m, args) -> {
            Object r = call(target, m, args);
            return r instanceof Connection c ? connection(c) : r;
        });
    }

    /** Whether a thread paused within {@code millis}. */
    boolean awaitPaused(long millis) throws InterruptedException {
        return paused.await(millis, TimeUnit.MILLISECONDS);
    }

    void release() {
        release.countDown();
    }

    /** The statements run inside a transaction so far, in order. */
    List<String> statementsInTransactions() {
        synchronized (statements) {
            return List.copyOf(statements);
        }
    }

    private Connection connection(Connection c) {
        boolean[] autoCommit = {true};
        return proxy(Connection.class, c, (target, m, args) -> {
            Object r = call(target, m, args);
            if (m.getName().equals("setAutoCommit")) {
                autoCommit[0] = (Boolean) args[0];
            }
            if (r instanceof Statement s) {
                String sql = args != null && args.length > 0 && args[0] instanceof String q ? q : "(statement)";
                return statement(s, sql, autoCommit);
            }
            return r;
        });
    }

    private Statement statement(Statement s, String prepared, boolean[] autoCommit) {
        Class<?> type = s instanceof java.sql.PreparedStatement ? java.sql.PreparedStatement.class : Statement.class;
        return (Statement) proxy(type, s, (target, m, args) -> {
            Object r = call(target, m, args);
            if (m.getName().startsWith("execute") && !autoCommit[0]) {
                String sql = args != null && args.length > 0 && args[0] instanceof String q ? q : prepared;
                statements.add(sql);
                if (inTransaction.incrementAndGet() == pauseAt) {
                    paused.countDown();
                    release.await();
                }
            }
            return r;
        });
    }

    private interface Handler {
        Object invoke(Object target, Method m, Object[] args) throws Throwable;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Object target, Handler handler) {
        InvocationHandler h = (p, m, args) -> handler.invoke(target, m, args);
        return (T) Proxy.newProxyInstance(PausingDataSource.class.getClassLoader(), new Class<?>[] {type}, h);
    }

    private static Object call(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
