package dev.lockstep.jdbc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.jdbc.vendor.ForwardingXAResource;
import dev.lockstep.jdbc.vendor.XaVendor;
import dev.lockstep.tm.Lockstep;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.AgroalPoolInterceptor;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.XADataSource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thread-race sweep at the pool seam (issue 11): an application inserts a row through two Lockstep DataSources
 * (H2 XA under Agroal) and commits; at every XA call the pools' connections make (start, end, prepare, commit), a
 * second thread makes a JTA call on the same transaction: setRollbackOnly, rollback, the reaper's timeout, or it joins
 * the transaction and takes a connection of a third DataSource. The same happens at every step of a pool handing a
 * connection out inside the transaction (an Agroal interceptor runs after the connection joined the transaction and
 * before the application holds it): a completion there once pooled the connection twice.
 *
 * <p>Checked after every run: the row is in both databases or in neither, and in the third one only if that one's
 * enlistment succeeded and the transaction committed; no branch is left in doubt in any database; and every pool has
 * all its connections back (Agroal's active count is 0), whichever thread won.
 */
class PoolRaceSweepTest {

    @TempDir
    Path logDir;

    enum Action { SET_ROLLBACK_ONLY, ROLLBACK, TIMEOUT, ENLIST_THIRD }

    @Test
    void aSecondThreadAtEveryXaCallOfAPooledCommitLeaksNothing() throws Exception {
        int points = run(-1, null).calls.get();
        assertTrue(points >= 6, "a pooled two-phase commit made only " + points + " XA calls");
        List<String> failures = new ArrayList<>();
        int runs = 0;
        for (int point = 0; point < points; point++) {
            for (Action action : Action.values()) {
                runs++;
                Run r = run(point, action);
                if (r.problem != null) {
                    failures.add(action + " at XA call " + point + ": " + r.problem);
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + runs + " runs failed:\n"
                + String.join("\n", failures));
    }

    private Run run(int point, Action action) throws Exception {
        Run r = new Run(point, action);
        try (Lockstep lockstep = Lockstep.builder().nodeId("race").logDirectory(logDir)
                .drainTimeout(java.time.Duration.ZERO).build()) {
            r.execute(lockstep);
        }
        return r;
    }

    private static final class Run {
        final int point;
        final Action action;
        final AtomicInteger calls = new AtomicInteger();
        volatile Transaction tx;
        volatile boolean open; // the application is inside its transaction
        volatile Thread second;
        volatile Object secondResult;
        volatile Throwable secondFailure;
        String problem;
        Lockstep lockstep;

        Run(int point, Action action) {
            this.point = point;
            this.action = action;
        }

        void execute(Lockstep ls) throws Exception {
            this.lockstep = ls;
            TransactionManager tm = ls.transactionManager();
            AgroalDataSource a = pool(ls, "pool-a");
            AgroalDataSource b = pool(ls, "pool-b");
            AgroalDataSource c = pool(ls, "pool-c");
            third = c;
            try {
                boolean committed = false;
                try {
                    tm.begin();
                    tx = tm.getTransaction();
                    open = true;
                    try (Connection ca = a.getConnection(); Connection cb = b.getConnection()) {
                        insert(ca);
                        insert(cb);
                        try (Connection again = a.getConnection()) {
                            rows(again); // the transaction's connection handed out a second time
                        }
                    }
                    tm.commit();
                    committed = true;
                } catch (Exception e) {
                    open = false;
                    if (tm.getTransaction() != null) {
                        try {
                            tm.rollback(); // what the application does when its work failed
                        } catch (IllegalStateException | jakarta.transaction.SystemException ignored) {
                            tm.suspend(); // completed by the other thread meanwhile
                        }
                    }
                }
                open = false;
                if (second != null) {
                    second.join(10_000);
                    if (second.isAlive()) {
                        problem = "the second thread hangs";
                        return;
                    }
                }
                awaitIdle(a, b, c);
                List<String> wrong = new ArrayList<>();
                int inA;
                int inB;
                int inC;
                try {
                    inA = rows(a);
                    inB = rows(b);
                    inC = rows(c);
                } catch (SQLException e) {
                    problem = "a pool handed out a broken connection after the race: " + e;
                    return;
                }
                if (inA != inB) {
                    wrong.add("mixed outcome: " + inA + " row(s) in a, " + inB + " in b");
                }
                if (committed && inA != 1) {
                    wrong.add("commit() returned but the row is not there");
                }
                if (inC > inA) {
                    wrong.add("the third database committed without the others");
                }
                for (AgroalDataSource ds : List.of(a, b, c)) {
                    if (ds.getMetrics().activeCount() != 0) {
                        wrong.add(ds + " has " + ds.getMetrics().activeCount() + " connection(s) not returned");
                    }
                    int inDoubt;
                    try {
                        inDoubt = inDoubt(ds);
                    } catch (SQLException e) {
                        wrong.add(ds + " handed out a broken connection: " + e);
                        continue;
                    }
                    if (inDoubt != 0) {
                        wrong.add(inDoubt + " branch(es) left in doubt in " + ds);
                    }
                }
                if (secondFailure != null && !(secondFailure instanceof IllegalStateException
                        || secondFailure instanceof jakarta.transaction.RollbackException
                        || secondFailure instanceof SQLException)) {
                    wrong.add("the second thread got " + secondFailure);
                }
                problem = wrong.isEmpty() ? null : String.join("; ", wrong) + " (second: "
                        + (secondFailure != null ? secondFailure : secondResult) + ")";
            } finally {
                a.close();
                b.close();
                c.close();
            }
        }

        private AgroalDataSource pool(Lockstep ls, String name) throws SQLException {
            String url = "jdbc:h2:mem:" + name + "-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
            AgroalDataSource ds = LockstepDataSources.create(ls, name, new Pausing(), cfg -> {
                cfg.metricsEnabled(true);
                cfg.connectionPoolConfiguration().maxSize(2).connectionFactoryConfiguration().jdbcUrl(url);
            });
            try (Connection conn = ds.getConnection(); Statement s = conn.createStatement()) {
                s.execute("CREATE TABLE t (id INT PRIMARY KEY)");
            }
            ds.setPoolInterceptors(List.of(new AgroalPoolInterceptor() {
                @Override
                public void onConnectionAcquire(Connection connection) {
                    if (open && Thread.currentThread() != second) {
                        reached(); // joined the transaction, not yet in the application's hands
                    }
                }
            }));
            return ds;
        }

        /** Before every XA call of the pools' connections: the second thread's call at the chosen one. */
        void reached() {
            if (calls.getAndIncrement() == point && action != null) {
                Thread t = new Thread(this::act, "second-" + action);
                t.setDaemon(true);
                second = t;
                t.start();
                awaitFinishedOrBlocked(t);
            }
        }

        private void act() {
            try {
                secondResult = switch (action) {
                    case SET_ROLLBACK_ONLY -> {
                        tx.setRollbackOnly();
                        yield "marked";
                    }
                    case ROLLBACK -> {
                        tx.rollback();
                        yield "rolled back";
                    }
                    case TIMEOUT -> ((dev.lockstep.tm.internal.coordinator.LockstepTransaction) tx).timeOut();
                    case ENLIST_THIRD -> {
                        TransactionManager tm = lockstep.transactionManager();
                        tm.resume(tx);
                        try (Connection cc = thirdPool().getConnection()) {
                            insert(cc);
                            yield "enlisted";
                        } finally {
                            tm.suspend();
                        }
                    }
                };
            } catch (Throwable t) {
                secondFailure = t;
            }
        }

        private AgroalDataSource third;

        AgroalDataSource thirdPool() {
            return third;
        }

        private static void awaitFinishedOrBlocked(Thread t) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int blocked = 0;
            while (t.isAlive() && blocked < 20 && System.nanoTime() < deadline) {
                Thread.State s = t.getState();
                blocked = s == Thread.State.WAITING || s == Thread.State.BLOCKED || s == Thread.State.TIMED_WAITING
                        ? blocked + 1 : 0;
                try {
                    Thread.sleep(0, 200_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        /** A generic H2 vendor whose enlisted XAResources call {@link #reached} before each call. */
        private final class Pausing implements XaVendor {
            @Override
            public String displayName() {
                return "H2";
            }

            @Override
            public Class<? extends XADataSource> xaDataSourceClass() {
                return JdbcDataSource.class;
            }

            @Override
            public XAResource enlisted(XAResource raw, Connection connection) {
                return new ForwardingXAResource(raw) {
                    @Override
                    public void start(Xid xid, int flags) throws XAException {
                        reached();
                        super.start(xid, flags);
                    }

                    @Override
                    public void end(Xid xid, int flags) throws XAException {
                        reached();
                        super.end(xid, flags);
                    }

                    @Override
                    public int prepare(Xid xid) throws XAException {
                        reached();
                        return super.prepare(xid);
                    }

                    @Override
                    public void commit(Xid xid, boolean onePhase) throws XAException {
                        reached();
                        super.commit(xid, onePhase);
                    }

                    @Override
                    public void rollback(Xid xid) throws XAException {
                        reached();
                        super.rollback(xid);
                    }
                };
            }
        }
    }

    private static void insert(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO t VALUES (1)");
        }
    }

    private static int rows(AgroalDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            return rows(c);
        }
    }

    private static int rows(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int inDoubt(AgroalDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.IN_DOUBT")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Waits until background phase-two retries (if any) have given every connection back, at most 5 s. */
    private static void awaitIdle(AgroalDataSource... pools) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (AgroalDataSource ds : pools) {
            while (ds.getMetrics().activeCount() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
    }
}
