package dev.lockstep.it.hibernate;

import static dev.lockstep.it.servers.DatabaseBranches.mariadb;
import static dev.lockstep.it.servers.DatabaseBranches.mariadbLong;
import static dev.lockstep.it.servers.DatabaseBranches.postgres;
import static dev.lockstep.it.servers.DatabaseBranches.postgresLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.hibernate.LockstepJtaPlatform;
import dev.lockstep.it.servers.DatabaseBranches;
import dev.lockstep.testkit.servers.MariaDbServer;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.tm.Lockstep;
import io.agroal.api.AgroalDataSource;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.SynchronizationType;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.UserTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two JPA persistence units (META-INF/persistence.xml: "orders-pg" on PostgreSQL, "billing-maria" on MariaDB) over
 * Lockstep's pools, in one JTA transaction begun with UserTransaction. Hibernate finds LockstepJtaPlatform by itself;
 * its flush happens in an interposed synchronization of Lockstep's TSR, inside the XA branches; every outcome is
 * checked with plain JDBC.
 */
class HibernateTwoUnitsTest {

    private static final String NODE = "it-hibernate";
    private static Lockstep lockstep;
    private static AgroalDataSource pgPool;
    private static AgroalDataSource mariaPool;
    private static EntityManagerFactory orders;
    private static EntityManagerFactory billing;
    private UserTransaction ut;

    @BeforeAll
    static void start() throws Exception {
        postgres("CREATE TABLE IF NOT EXISTS hib_orders (id VARCHAR(64) PRIMARY KEY, amount INT NOT NULL)");
        mariadb("CREATE TABLE IF NOT EXISTS hib_invoices (id VARCHAR(64) PRIMARY KEY, amount INT NOT NULL)"
                + " ENGINE=InnoDB");
        Path logDir = Files.createTempDirectory(Path.of("target"), "lockstep-log-");
        lockstep = Lockstep.builder().nodeId(NODE).logDirectory(logDir.toAbsolutePath())
                .defaultTimeout(Duration.ofSeconds(30)).build();
        pgPool = LockstepDataSources.postgresql(lockstep, "hib-orders-pg", Servers.postgres().jdbcUrl(),
                PostgresServer.USER, PostgresServer.PASSWORD, 4);
        mariaPool = LockstepDataSources.mysql(lockstep, "hib-billing-maria", Servers.mariadb().jdbcUrl(),
                MariaDbServer.USER, MariaDbServer.PASSWORD, 4);
        // Without a container, the DataSource objects go in as properties; the rest is in persistence.xml.
        orders = Persistence.createEntityManagerFactory("orders-pg",
                Map.of("jakarta.persistence.jtaDataSource", pgPool));
        billing = Persistence.createEntityManagerFactory("billing-maria",
                Map.of("jakarta.persistence.jtaDataSource", mariaPool));
    }

    @AfterAll
    static void stop() {
        if (orders != null) {
            orders.close();
        }
        if (billing != null) {
            billing.close();
        }
        if (pgPool != null) {
            pgPool.close();
        }
        if (mariaPool != null) {
            mariaPool.close();
        }
        if (lockstep != null) {
            lockstep.close();
        }
    }

    @BeforeEach
    void clean() throws Exception {
        postgres("DELETE FROM hib_orders");
        mariadb("DELETE FROM hib_invoices");
        ut = lockstep.userTransaction();
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertEquals(Status.STATUS_NO_TRANSACTION, ut.getStatus(), "the test ended its transaction");
        assertEquals(List.of(), DatabaseBranches.inDoubt(NODE), "no branch of ours may stay prepared");
        assertEquals(0, pgPool.getMetrics().activeCount(), "PostgreSQL pool idle");
        assertEquals(0, mariaPool.getMetrics().activeCount(), "MariaDB pool idle");
    }

    private static long orderCount(String id) throws Exception {
        return postgresLong("SELECT count(*) FROM hib_orders WHERE id = '" + id + "'");
    }

    private static long invoiceCount(String id) throws Exception {
        return mariadbLong("SELECT count(*) FROM hib_invoices WHERE id = '" + id + "'");
    }

    @Test
    void bothUnitsUseLockstepsPlatformWithoutBeingToldWhichClass() {
        for (EntityManagerFactory emf : List.of(orders, billing)) {
            JtaPlatform platform = emf.unwrap(SessionFactoryImplementor.class).getServiceRegistry()
                    .requireService(JtaPlatform.class);
            assertSame(lockstep, assertInstanceOf(LockstepJtaPlatform.class, platform).lockstep());
        }
    }

    @Test
    void entitiesOfBothUnitsCommitTogether() throws Exception {
        long twoPhase = lockstep.metrics().logForces();
        ut.begin();
        try (EntityManager pg = orders.createEntityManager(); EntityManager maria = billing.createEntityManager()) {
            pg.persist(new OrderRow("c1", 10));
            maria.persist(new InvoiceRow("c1", 10));
            ut.commit(); // Hibernate flushes both in beforeCompletion, then two-phase commit
        }
        assertEquals(1, orderCount("c1"));
        assertEquals(1, invoiceCount("c1"));
        assertTrue(lockstep.metrics().logForces() > twoPhase, "two branches: a forced COMMIT decision");
    }

    @Test
    void entitiesOfBothUnitsRollBackTogether() throws Exception {
        ut.begin();
        try (EntityManager pg = orders.createEntityManager(); EntityManager maria = billing.createEntityManager()) {
            pg.persist(new OrderRow("r1", 1));
            maria.persist(new InvoiceRow("r1", 1));
            pg.flush(); // the SQL runs inside both branches...
            maria.flush();
            ut.rollback(); // ...and is undone in both
        }
        assertEquals(0, orderCount("r1"));
        assertEquals(0, invoiceCount("r1"));
    }

    @Test
    void aFlushFailureInMariaDbAtCommitRollsBackPostgres() throws Exception {
        mariadb("INSERT INTO hib_invoices VALUES ('dup', 1)");
        ut.begin();
        try (EntityManager pg = orders.createEntityManager(); EntityManager maria = billing.createEntityManager()) {
            pg.persist(new OrderRow("f1", 5));
            maria.persist(new InvoiceRow("dup", 5)); // duplicate key, found only when beforeCompletion flushes
            assertThrows(RollbackException.class, ut::commit);
        }
        assertEquals(0, orderCount("f1"), "PostgreSQL's part rolled back");
        assertEquals(1, mariadbLong("SELECT amount FROM hib_invoices WHERE id = 'dup'"), "the old row untouched");
    }

    @Test
    void aFlushFailureInPostgresAtCommitRollsBackMariaDb() throws Exception {
        postgres("INSERT INTO hib_orders VALUES ('dup', 1)");
        ut.begin();
        try (EntityManager pg = orders.createEntityManager(); EntityManager maria = billing.createEntityManager()) {
            maria.persist(new InvoiceRow("f2", 5));
            pg.persist(new OrderRow("dup", 5));
            assertThrows(RollbackException.class, ut::commit);
        }
        assertEquals(0, invoiceCount("f2"), "MariaDB's part rolled back");
        assertEquals(1, postgresLong("SELECT amount FROM hib_orders WHERE id = 'dup'"));
    }

    @Test
    void anExplicitFlushFailureMarksTheTransactionRollbackOnly() throws Exception {
        postgres("INSERT INTO hib_orders VALUES ('dup', 1)");
        ut.begin();
        try (EntityManager pg = orders.createEntityManager(); EntityManager maria = billing.createEntityManager()) {
            maria.persist(new InvoiceRow("f3", 5));
            maria.flush();
            pg.persist(new OrderRow("dup", 5));
            assertThrows(PersistenceException.class, pg::flush);
            assertEquals(Status.STATUS_MARKED_ROLLBACK, ut.getStatus(), "JPA marks the JTA transaction");
            assertThrows(RollbackException.class, ut::commit);
        }
        assertEquals(0, invoiceCount("f3"));
    }

    /**
     * An entity manager opened before the transaction: an unsynchronized one takes part only once it joins
     * ({@code joinTransaction}), a synchronized one joins by itself at its first operation in the transaction.
     */
    @Test
    void entityManagersOpenedBeforeTheTransactionJoinIt() throws Exception {
        try (EntityManager pg = orders.createEntityManager(SynchronizationType.UNSYNCHRONIZED);
             EntityManager maria = billing.createEntityManager()) {
            ut.begin();
            pg.persist(new OrderRow("j1", 7));
            assertFalse(pg.isJoinedToTransaction(), "unsynchronized: not joined until asked");
            pg.joinTransaction();
            assertTrue(pg.isJoinedToTransaction());
            maria.persist(new InvoiceRow("j1", 7));
            assertTrue(maria.isJoinedToTransaction());
            ut.commit();
        }
        assertEquals(1, orderCount("j1"));
        assertEquals(1, invoiceCount("j1"));
    }

    @Test
    void anUnsynchronizedEntityManagerThatNeverJoinsWritesNothing() throws Exception {
        try (EntityManager pg = orders.createEntityManager(SynchronizationType.UNSYNCHRONIZED);
             EntityManager maria = billing.createEntityManager()) {
            ut.begin();
            pg.persist(new OrderRow("n1", 7));
            maria.persist(new InvoiceRow("n1", 7));
            ut.commit();
        }
        assertEquals(0, orderCount("n1"), "never joined, never flushed");
        assertEquals(1, invoiceCount("n1"));
    }

    /**
     * Hibernate's flush is an interposed synchronization of Lockstep's TSR: it runs after the application's own
     * {@code beforeCompletion}, so changes made there, in both units, are flushed into the branches and committed.
     */
    @Test
    void theFlushAtCommitComesAfterTheApplicationsBeforeCompletion() throws Exception {
        ut.begin();
        try (EntityManager pg = orders.createEntityManager(); EntityManager maria = billing.createEntityManager()) {
            OrderRow order = new OrderRow("s1", 1);
            pg.persist(order);
            maria.persist(new InvoiceRow("s1", 1));
            lockstep.transactionManager().getTransaction().registerSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                    order.amount = 99;
                    maria.persist(new InvoiceRow("s1-late", 2));
                }

                @Override
                public void afterCompletion(int status) {
                }
            });
            ut.commit();
        }
        assertEquals(99, postgresLong("SELECT amount FROM hib_orders WHERE id = 's1'"));
        assertEquals(1, invoiceCount("s1-late"));
    }
}
