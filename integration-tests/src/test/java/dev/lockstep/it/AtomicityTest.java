package dev.lockstep.it;

import static dev.lockstep.it.Resources.exec;
import static dev.lockstep.it.Resources.queryLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.jms.Connection;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.UserTransaction;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One UserTransaction over real PostgreSQL, MariaDB and Artemis: all three commit, or none. */
class AtomicityTest {

    private static Resources r;
    private UserTransaction ut;
    private TransactionManager tm;
    private String queue;

    @BeforeAll
    static void start() throws Exception {
        r = new Resources("it-atomic", Duration.ofSeconds(30));
        exec(r.pg, "CREATE TABLE IF NOT EXISTS orders (id VARCHAR(64) PRIMARY KEY, amount INT NOT NULL)");
        exec(r.maria, "CREATE TABLE IF NOT EXISTS billing (id VARCHAR(64) PRIMARY KEY, amount INT NOT NULL)"
                + " ENGINE=InnoDB");
    }

    @AfterAll
    static void stop() {
        r.close();
    }

    @BeforeEach
    void clean() throws Exception {
        exec(r.pg, "DELETE FROM orders");
        exec(r.maria, "DELETE FROM billing");
        ut = r.lockstep.userTransaction();
        tm = r.lockstep.transactionManager();
        queue = "atomic-" + UUID.randomUUID();
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertEquals(List.of(), r.ourBranchesInDoubt(), "no branch of ours may stay prepared");
        assertEquals(0, r.pg.getMetrics().activeCount(), "PostgreSQL pool idle");
        assertEquals(0, r.maria.getMetrics().activeCount(), "MariaDB pool idle");
    }

    private void writeAll(String id, int amount) throws Exception {
        try (var c = r.pg.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO orders VALUES ('" + id + "', " + amount + ")");
        }
        try (var c = r.maria.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO billing VALUES ('" + id + "', " + amount + ")");
        }
        r.send(queue, id);
    }

    private void assertNothingVisible() throws Exception {
        assertEquals(0, queryLong(r.pg, "SELECT count(*) FROM orders"));
        assertEquals(0, queryLong(r.maria, "SELECT count(*) FROM billing"));
        assertEquals(List.of(), r.drain(queue, 300), "no message delivered");
    }

    @Test
    void commitMakesAllThreeVisible() throws Exception {
        long forces = r.lockstep.metrics().logForces();
        ut.begin();
        writeAll("a1", 10);
        ut.commit();
        assertEquals(1, queryLong(r.pg, "SELECT count(*) FROM orders WHERE id = 'a1'"));
        assertEquals(1, queryLong(r.maria, "SELECT count(*) FROM billing WHERE id = 'a1'"));
        assertEquals(List.of("a1"), r.drain(queue, 2000));
        assertTrue(r.lockstep.metrics().logForces() > forces, "three branches: a forced COMMIT record");
    }

    @Test
    void explicitRollbackLeavesNothing() throws Exception {
        ut.begin();
        writeAll("r1", 1);
        ut.rollback();
        assertNothingVisible();
    }

    @Test
    void rollbackOnlyLeavesNothing() throws Exception {
        ut.begin();
        writeAll("r2", 1);
        ut.setRollbackOnly();
        assertThrows(RollbackException.class, ut::commit);
        assertNothingVisible();
    }

    @Test
    void failingBeforeCompletionLeavesNothing() throws Exception {
        ut.begin();
        writeAll("r3", 1);
        tm.getTransaction().registerSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                throw new IllegalStateException("validation failed");
            }

            @Override
            public void afterCompletion(int status) {
            }
        });
        assertThrows(RollbackException.class, ut::commit);
        assertNothingVisible();
    }

    @Test
    void timeoutLeavesNothing() throws Exception {
        ut.setTransactionTimeout(1);
        try {
            ut.begin();
            writeAll("r4", 1);
            Thread.sleep(1600); // the reaper rolls it back meanwhile
            var e = assertThrows(RollbackException.class, ut::commit);
            assertTrue(e.getMessage().contains("timeout"), e.getMessage());
        } finally {
            ut.setTransactionTimeout(0);
        }
        assertNothingVisible();
    }

    @Test
    void anApplicationExceptionBetweenStatementsLeavesNothing() throws Exception {
        ut.begin();
        try {
            try (var c = r.pg.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO orders VALUES ('r5', 1)");
            }
            r.send(queue, "r5");
            throw new IllegalArgumentException("business rule broken half-way");
        } catch (IllegalArgumentException e) {
            ut.rollback();
        }
        assertNothingVisible();
    }

    /*
     * Scenario (XA-QUIRKS: PostgreSQL's silent rollback at prepare): a statement fails in the PostgreSQL branch, the
     * application ignores the exception and commits.
     * Expected: the whole transaction rolls back cleanly with RollbackException; nothing anywhere; no heuristic.
     */
    @Test
    void aFailedPostgresStatementIgnoredByTheApplicationRollsEverythingBack() throws Exception {
        exec(r.pg, "INSERT INTO orders VALUES ('dup', 1)");
        ut.begin();
        try (var c = r.pg.getConnection(); Statement s = c.createStatement()) {
            assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO orders VALUES ('dup', 2)"));
        }
        try (var c = r.maria.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO billing VALUES ('dup', 2)");
        }
        r.send(queue, "dup");
        assertThrows(RollbackException.class, ut::commit);
        assertEquals(1, queryLong(r.pg, "SELECT count(*) FROM orders"));
        assertEquals(0, queryLong(r.maria, "SELECT count(*) FROM billing"));
        assertEquals(List.of(), r.drain(queue, 300));
        assertEquals(0, queryLong(r.pg, "SELECT count(*) FROM pg_prepared_xacts"));
        assertEquals(0, r.lockstep.metrics().heuristic());
    }

    @Test
    void oneResourceCommitsInOnePhase() throws Exception {
        long onePhase = r.lockstep.metrics().committedOnePhase();
        long forces = r.lockstep.metrics().logForces();
        for (var ds : List.of(r.pg, r.maria)) {
            ut.begin();
            try (var c = ds.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO " + (ds == r.pg ? "orders" : "billing") + " VALUES ('one', 1)");
            }
            ut.commit();
        }
        ut.begin();
        r.send(queue, "one");
        ut.commit();
        assertEquals(onePhase + 3, r.lockstep.metrics().committedOnePhase());
        assertEquals(forces, r.lockstep.metrics().logForces(), "one-phase commits write no log record");
        assertEquals(1, queryLong(r.pg, "SELECT count(*) FROM orders"));
        assertEquals(1, queryLong(r.maria, "SELECT count(*) FROM billing"));
        assertEquals(List.of("one"), r.drain(queue, 2000));
    }

    /*
     * Scenario: consume from one queue, write to both databases, send to another queue; first rolled back, then
     * committed. Expected: after the rollback the input is redelivered and nothing else happened; after the commit
     * the input is consumed exactly once and the output, both rows, are there.
     */
    @Test
    void receiveAndForwardIsAtomic() throws Exception {
        String in = queue + "-in";
        r.sendPlain(in, "f1");
        for (boolean commit : new boolean[] {false, true}) {
            ut.begin();
            String id;
            try (Connection c = r.jms.createConnection()) {
                c.start();
                Session s = c.createSession();
                var m = (TextMessage) s.createConsumer(s.createQueue(in)).receive(5000);
                assertNotNull(m, "the input message (redelivered after the rollback)");
                id = m.getText();
            }
            try (var c = r.pg.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO orders VALUES ('" + id + "', 7)");
            }
            try (var c = r.maria.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO billing VALUES ('" + id + "', 7)");
            }
            r.send(queue, "forwarded " + id);
            if (commit) {
                ut.commit();
            } else {
                ut.rollback();
                assertEquals(0, queryLong(r.pg, "SELECT count(*) FROM orders"));
                assertEquals(0, queryLong(r.maria, "SELECT count(*) FROM billing"));
                assertEquals(List.of(), r.drain(queue, 300));
            }
        }
        assertEquals(List.of(), r.drain(in, 300), "consumed exactly once");
        assertEquals(List.of("forwarded f1"), r.drain(queue, 2000));
        assertEquals(1, queryLong(r.pg, "SELECT count(*) FROM orders WHERE id = 'f1'"));
        assertEquals(1, queryLong(r.maria, "SELECT count(*) FROM billing WHERE id = 'f1'"));
    }
}
