package dev.lockstep.jdbc;

import dev.lockstep.testkit.ScriptedXAResource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.jdbc.vendor.XaVendor;
import dev.lockstep.tm.Lockstep;
import io.agroal.api.transaction.TransactionAware;
import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every interleaving of a completion on another thread with the steps of the pool handing a transaction's connection
 * out, first when it joins the transaction and then when it is handed out again (the steps Agroal makes:
 * {@code getTransactionAware}, {@code associate}, and the end of the hand-out {@link LockstepDataSource} adds).
 *
 * <p>Checked at every point: the connection goes back to the pool exactly once, never while a hand-out of it is in
 * progress; the hand-out that the completion overlapped is told so (and its caller gets LKS-425); a hand-out after the
 * completion is refused (LKS-424) instead of giving out a connection outside the transaction.
 */
class HandOutInterleavingTest {

    @TempDir
    Path logDir;

    private static final int STEPS = 5; // associate, finish, getTransactionAware, associate, finish

    @Test
    void aCompletionBetweenAnyTwoStepsOfAHandOutReturnsTheConnectionOnceAndAfterTheHandOut() throws Exception {
        List<String> failures = new ArrayList<>();
        for (int completeBefore = 0; completeBefore <= STEPS; completeBefore++) {
            String problem = run(completeBefore);
            if (problem != null) {
                failures.add("completion before step " + completeBefore + ": " + problem);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private String run(int completeBefore) throws Exception {
        try (Lockstep lockstep = Lockstep.builder().nodeId("handout").logDirectory(logDir)
                .drainTimeout(java.time.Duration.ZERO).build()) {
            LockstepTransactionIntegration integration = new LockstepTransactionIntegration(lockstep, "db",
                    XaVendor.generic("H2", JdbcDataSource.class));
            TransactionManager tm = lockstep.transactionManager();
            FakeConnection conn = new FakeConnection();
            ScriptedXAResource xa = new ScriptedXAResource("db");
            tm.begin();
            Transaction tx = tm.getTransaction();
            List<String> wrong = new ArrayList<>();
            int[] finished = new int[2];
            boolean handedOutAgain = false;
            for (int step = 0; step < STEPS; step++) {
                if (step == completeBefore) {
                    completeOnAnotherThread(tx);
                }
                if (step == 0 || step == 2) {
                    conn.handingOut = true; // until the hand-out's last step begins
                } else if (step == 1 || step == 4) {
                    conn.handingOut = false; // the end of a hand-out may give the connection back
                }
                switch (step) {
                    case 0 -> {
                        if (completeBefore == 0) {
                            SQLException e = assertThrows(SQLException.class, () -> integration.associate(conn, xa));
                            assertTrue(e.getMessage().startsWith("LKS-424"), e.getMessage());
                            conn.handingOut = false;
                            integration.finishHandOut();
                            return conn.ends == 0 ? null : "returned a connection that never joined";
                        }
                        integration.associate(conn, xa);
                    }
                    case 1 -> finished[0] = integration.finishHandOut();
                    case 2 -> {
                        handedOutAgain = integration.getTransactionAware() == conn;
                        conn.handingOut = handedOutAgain;
                    }
                    case 3 -> {
                        if (handedOutAgain) {
                            integration.associate(conn, xa);
                        } else {
                            // what Agroal does when the transaction has no connection (any more): takes another one
                            FakeConnection other = new FakeConnection();
                            SQLException e = assertThrows(SQLException.class, () -> integration.associate(other, xa));
                            if (!e.getMessage().startsWith("LKS-424")) {
                                wrong.add("a hand-out after the completion failed with " + e.getMessage());
                            }
                        }
                    }
                    case 4 -> finished[1] = integration.finishHandOut();
                    default -> throw new AssertionError(step);
                }
            }
            if (completeBefore == STEPS) {
                completeOnAnotherThread(tx);
            }
            boolean duringFirst = completeBefore == 1;
            boolean duringSecond = completeBefore == 3 || completeBefore == 4;
            if ((finished[0] >= 0) != duringFirst) {
                wrong.add("the first hand-out was told " + finished[0] + " (completed during it: " + duringFirst + ")");
            }
            if ((finished[1] >= 0) != duringSecond) {
                wrong.add("the second hand-out was told " + finished[1] + " (completed during it: " + duringSecond
                        + ")");
            }
            if (completeBefore == 2 && handedOutAgain) {
                wrong.add("the transaction's connection was handed out again after its transaction completed");
            }
            if (conn.ends != 1) {
                wrong.add("the connection went back to the pool " + conn.ends + " times");
            }
            if (conn.endedDuringHandOut) {
                wrong.add("the connection went back to the pool while a hand-out of it was in progress");
            }
            if (tm.getTransaction() != null) {
                tm.suspend();
            }
            return wrong.isEmpty() ? null : String.join("; ", wrong);
        }
    }

    private static void completeOnAnotherThread(Transaction tx) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                tx.rollback();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "completer");
        t.start();
        t.join(10_000);
        assertNull(failure.get(), "the rollback from another thread failed");
        assertEquals(Status.STATUS_ROLLEDBACK, tx.getStatus());
    }

    /** Agroal's side of a pooled connection, reduced to what the integration calls. */
    private static final class FakeConnection implements TransactionAware {
        volatile boolean handingOut;
        volatile boolean endedDuringHandOut;
        volatile int ends;

        @Override
        public void transactionStart() {
        }

        @Override
        public void transactionBeforeCompletion(boolean successful) {
        }

        @Override
        public void transactionCommit() {
        }

        @Override
        public void transactionRollback() {
        }

        @Override
        public void transactionEnd() {
            ends++;
            endedDuringHandOut |= handingOut;
        }

        @Override
        public void transactionCheckCallback(SQLCallable<Boolean> transactionCheck) {
        }

        @Override
        public Object getConnection() {
            return null;
        }

        @Override
        public void setFlushOnly() {
        }
    }
}
