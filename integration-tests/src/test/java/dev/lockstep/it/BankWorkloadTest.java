package dev.lockstep.it;

import static dev.lockstep.it.Resources.exec;
import static dev.lockstep.it.Resources.queryLong;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.transaction.UserTransaction;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The bank: 8 threads x 250 transfers between accounts split across PostgreSQL and MariaDB, each with a JMS event;
 * every tenth transfer is rolled back on purpose. At the end: the total balance is unchanged, there are exactly as
 * many events as committed transfers, no branch of ours is in any recover() list, and every pool is idle.
 */
class BankWorkloadTest {

    private static final int THREADS = 8;
    private static final int TRANSFERS = 250;
    private static final int ACCOUNTS = 10;
    private static final long INITIAL = 1_000;

    @Test
    void transfersAcrossTwoDatabasesAndABrokerStayConsistent() throws Exception {
        try (Resources r = new Resources("it-bank", Duration.ofSeconds(60))) {
            exec(r.pg, "DROP TABLE IF EXISTS accounts", "CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT)");
            exec(r.maria, "DROP TABLE IF EXISTS accounts",
                    "CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT) ENGINE=InnoDB");
            for (int i = 0; i < ACCOUNTS; i++) {
                exec(r.pg, "INSERT INTO accounts VALUES (" + i + ", " + INITIAL + ")");
                exec(r.maria, "INSERT INTO accounts VALUES (" + i + ", " + INITIAL + ")");
            }
            String queue = "bank-" + UUID.randomUUID();
            AtomicInteger committed = new AtomicInteger();
            AtomicInteger rolledBack = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            UserTransaction ut = r.lockstep.userTransaction();
            List<Thread> threads = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                Thread th = new Thread(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    for (int i = 0; i < TRANSFERS && failure.get() == null; i++) {
                        int pgAccount = rnd.nextInt(ACCOUNTS);
                        int mariaAccount = rnd.nextInt(ACCOUNTS);
                        // positive: PostgreSQL pays MariaDB; negative: the other way round
                        long amount = rnd.nextLong(-50, 51);
                        boolean abort = i % 10 == 9;
                        try {
                            ut.begin();
                            // Always PostgreSQL first, then MariaDB: a global lock order, so no deadlock can span
                            // the two databases (neither could detect one).
                            try (var c = r.pg.getConnection();
                                 PreparedStatement s = c.prepareStatement(
                                         "UPDATE accounts SET balance = balance - ? WHERE id = ?")) {
                                s.setLong(1, amount);
                                s.setInt(2, pgAccount);
                                s.executeUpdate();
                            }
                            try (var c = r.maria.getConnection();
                                 PreparedStatement s = c.prepareStatement(
                                         "UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
                                s.setLong(1, amount);
                                s.setInt(2, mariaAccount);
                                s.executeUpdate();
                            }
                            r.send(queue, "t" + thread + "-" + i);
                            if (abort) {
                                ut.rollback();
                                rolledBack.incrementAndGet();
                            } else {
                                ut.commit();
                                committed.incrementAndGet();
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                            try {
                                ut.rollback();
                            } catch (Exception ignored) {
                                // the failure above is what the test reports
                            }
                        }
                    }
                }, "bank-" + t);
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) {
                th.join();
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            if (failure.get() != null) {
                throw new AssertionError("a transfer failed", failure.get());
            }
            assertEquals(THREADS * TRANSFERS / 10, rolledBack.get());
            long total = queryLong(r.pg, "SELECT sum(balance) FROM accounts")
                    + queryLong(r.maria, "SELECT sum(balance) FROM accounts");
            assertEquals(2 * ACCOUNTS * INITIAL, total, "money is neither created nor destroyed");
            assertEquals(committed.get(), r.drain(queue, 2000).size(), "one event per committed transfer");
            assertEquals(List.of(), r.ourBranchesInDoubt());
            assertEquals(0, r.pg.getMetrics().activeCount());
            assertEquals(0, r.maria.getMetrics().activeCount());
            assertEquals(0, r.lockstep.metrics().heuristic());
            System.out.printf("[bank] %d transfers (%d committed) in %d ms: %.0f tx/s, %d log forces%n",
                    THREADS * TRANSFERS, committed.get(), millis, THREADS * TRANSFERS * 1000.0 / millis,
                    r.lockstep.metrics().logForces());
        }
    }
}
