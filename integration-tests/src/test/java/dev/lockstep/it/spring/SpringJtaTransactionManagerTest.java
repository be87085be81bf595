package dev.lockstep.it.spring;

import static dev.lockstep.it.spring.PlainClients.drain;
import static dev.lockstep.it.spring.PlainClients.mariaIds;
import static dev.lockstep.it.spring.PlainClients.pgIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.servers.MariaDbServer;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.it.spring.Propagations.CheckedFailure;
import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.jms.LockstepConnectionFactory;
import dev.lockstep.tm.Lockstep;
import io.agroal.api.AgroalDataSource;
import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.transaction.NestedTransactionNotSupportedException;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.jta.JtaTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Spring Framework's {@link JtaTransactionManager} over Lockstep's TransactionManager, UserTransaction and
 * TransactionSynchronizationRegistry, with {@code @Transactional} methods on PostgreSQL, MariaDB (Lockstep's Agroal
 * pools, through JdbcTemplate) and Artemis (Lockstep's pooled factory, through JmsTemplate). Every outcome is read
 * back with plain JDBC and JMS clients; after each test no branch of ours is left prepared and the pools are idle.
 */
class SpringJtaTransactionManagerTest {

    private static final String NODE = "it-spring";

    private static Lockstep lockstep;
    private static AgroalDataSource pg;
    private static AgroalDataSource maria;
    private static LockstepConnectionFactory jms;
    private static AnnotationConfigApplicationContext context;
    private static Propagations tx;
    private static JdbcTemplate pgJdbc;
    private static JdbcTemplate mariaJdbc;
    private static JmsTemplate jmsTemplate;
    private String queue;

    /** Spring's side: @Transactional proxies and the JtaTransactionManager over Lockstep, nothing else. */
    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement
    static class SpringConfig {
        @Bean
        JtaTransactionManager transactionManager() {
            JtaTransactionManager tm = new JtaTransactionManager(lockstep.userTransaction(),
                    lockstep.transactionManager());
            tm.setTransactionSynchronizationRegistry(lockstep.transactionSynchronizationRegistry());
            return tm;
        }

        @Bean
        Propagations propagations() {
            return new Propagations();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Path logs = Files.createTempDirectory(Path.of("target"), "spring-jta-log-");
        lockstep = Lockstep.builder().nodeId(NODE).logDirectory(logs.toAbsolutePath())
                .defaultTimeout(Duration.ofSeconds(30)).logSegmentBytes(1 << 20).build();
        pg = LockstepDataSources.postgresql(lockstep, "spring-pg", Servers.postgres().jdbcUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD, 6);
        maria = LockstepDataSources.mysql(lockstep, "spring-maria", Servers.mariadb().jdbcUrl(), MariaDbServer.USER,
                MariaDbServer.PASSWORD, 6);
        jms = LockstepConnectionFactory.artemis(lockstep, "spring-events", Servers.artemis().brokerUrl(), null, null,
                4);
        PlainClients.pgExec("CREATE TABLE IF NOT EXISTS spring_pg (id VARCHAR(64) PRIMARY KEY)");
        PlainClients.mariaExec("CREATE TABLE IF NOT EXISTS spring_maria (id VARCHAR(64) PRIMARY KEY) ENGINE=InnoDB");
        context = new AnnotationConfigApplicationContext(SpringConfig.class);
        tx = context.getBean(Propagations.class);
        pgJdbc = new JdbcTemplate(pg);
        mariaJdbc = new JdbcTemplate(maria);
        jmsTemplate = new JmsTemplate(jms);
        jmsTemplate.setReceiveTimeout(100);
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
        jms.close();
        pg.close();
        maria.close();
        lockstep.close();
    }

    @BeforeEach
    void clean() throws Exception {
        PlainClients.pgExec("DELETE FROM spring_pg");
        PlainClients.mariaExec("DELETE FROM spring_maria");
        queue = "spring-" + UUID.randomUUID();
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertEquals(List.of(), PlainClients.branchesInDoubt(NODE), "no branch of ours may stay prepared");
        assertNull(lockstep.transactionManager().getTransaction(), "the thread is left without a transaction");
        assertEquals(0, pg.getMetrics().activeCount(), "PostgreSQL pool idle");
        assertEquals(0, maria.getMetrics().activeCount(), "MariaDB pool idle");
    }

    private void writeAll(String id) {
        pgJdbc.update("INSERT INTO spring_pg (id) VALUES (?)", id);
        mariaJdbc.update("INSERT INTO spring_maria (id) VALUES (?)", id);
        jmsTemplate.convertAndSend(queue, id);
    }

    private static Transaction current() throws Exception {
        return lockstep.transactionManager().getTransaction();
    }

    private void assertEverywhere(List<String> ids) throws Exception {
        assertEquals(ids, pgIds("spring_pg"), "PostgreSQL");
        assertEquals(ids, mariaIds("spring_maria"), "MariaDB");
        assertEquals(ids, drain(queue, ids.isEmpty() ? 300 : 2000), "Artemis");
    }

    @Test
    void requiredJoinsTheCallersTransactionAndCommitsEverythingOnce() throws Exception {
        Transaction[] seen = new Transaction[2];
        tx.required(() -> {
            seen[0] = current();
            writeAll("outer");
            tx.required(() -> {
                seen[1] = current();
                writeAll("inner");
            });
        });
        assertNotNull(seen[0]);
        assertSame(seen[0], seen[1], "REQUIRED joins the running transaction");
        assertEverywhere(List.of("inner", "outer"));
    }

    @Test
    void requiredInnerFailureMarksTheSharedTransactionAndTheOuterCommitRollsBack() throws Exception {
        UnexpectedRollbackException e = assertThrows(UnexpectedRollbackException.class, () -> tx.required(() -> {
            writeAll("outer");
            try {
                tx.required(() -> {
                    writeAll("inner");
                    throw new IllegalStateException("inner fails");
                });
            } catch (IllegalStateException expected) {
                // Swallowed by the caller, but the joined transaction is already marked rollback-only.
                assertEquals(Status.STATUS_MARKED_ROLLBACK, current().getStatus());
            }
        }));
        // JtaTransactionManager commits a globally rollback-only transaction anyway and lets the JTA TM refuse it
        // (shouldCommitOnGlobalRollbackOnly): Lockstep's commit throws RollbackException, which Spring wraps.
        assertTrue(e.getCause() instanceof jakarta.transaction.RollbackException, () -> "cause " + e.getCause());
        assertEverywhere(List.of());
    }

    @Test
    void requiresNewCommitsTheInnerTransactionWhenTheOuterRollsBack() throws Exception {
        Transaction[] seen = new Transaction[3];
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tx.required(() -> {
            seen[0] = current();
            writeAll("outer");
            tx.requiresNew(() -> {
                seen[1] = current();
                // The outer transaction is suspended, not ended: it waits, still active, for the inner to finish.
                assertEquals(Status.STATUS_ACTIVE, seen[0].getStatus());
                writeAll("inner");
            });
            seen[2] = current();
            throw new IllegalStateException("outer fails after the inner committed");
        }));
        assertEquals("outer fails after the inner committed", e.getMessage());
        assertNotSame(seen[0], seen[1], "REQUIRES_NEW runs in a transaction of its own");
        assertSame(seen[0], seen[2], "the outer transaction is resumed after the inner one");
        assertEverywhere(List.of("inner"));
    }

    @Test
    void requiresNewRollsBackTheInnerTransactionAndTheOuterStillCommits() throws Exception {
        tx.required(() -> {
            writeAll("outer");
            try {
                tx.requiresNew(() -> {
                    writeAll("inner");
                    throw new IllegalStateException("inner fails");
                });
            } catch (IllegalStateException expected) {
                assertEquals(Status.STATUS_ACTIVE, current().getStatus(), "the outer one is not marked");
            }
        });
        assertEverywhere(List.of("outer"));
    }

    @Test
    void notSupportedRunsOutsideTheTransactionInAutocommitWhileTheOuterRollsBack() throws Exception {
        assertThrows(IllegalStateException.class, () -> tx.required(() -> {
            writeAll("outer");
            tx.notSupported(() -> {
                assertNull(current(), "no JTA transaction on the thread");
                assertFalse(TransactionSynchronizationManager.isActualTransactionActive());
                writeAll("outside");
                // Already visible from outside, before anything commits: autocommit, no branch.
                assertEquals(List.of("outside"), pgIds("spring_pg"));
                assertEquals(List.of("outside"), mariaIds("spring_maria"));
            });
            throw new IllegalStateException("outer fails");
        }));
        assertEverywhere(List.of("outside"));
    }

    @Test
    void nestedIsRefusedWithAClearExceptionAndNothingIsWritten() throws Exception {
        NestedTransactionNotSupportedException e = assertThrows(NestedTransactionNotSupportedException.class,
                () -> tx.required(() -> {
                    writeAll("outer");
                    tx.nested(() -> writeAll("nested"));
                }));
        assertTrue(e.getMessage().contains("nested"), e.getMessage());
        assertEverywhere(List.of());
    }

    @Test
    void readOnlyIsOnlyAHintUnderJtaWritesStillCommit() throws Exception {
        tx.readOnly(() -> {
            assertTrue(TransactionSynchronizationManager.isCurrentTransactionReadOnly(), "exposed to resources");
            assertNotNull(current(), "a real JTA transaction");
            writeAll("written-in-read-only");
        });
        assertEverywhere(List.of("written-in-read-only"));
    }

    @Test
    void aTransactionThatOverrunsItsTimeoutIsRolledBackEverywhere() throws Exception {
        Exception e = assertThrows(Exception.class, () -> tx.timeoutOneSecond(() -> {
            writeAll("before-deadline");
            Thread.sleep(2_500);
            assertEquals(Status.STATUS_ROLLEDBACK, current().getStatus(), "the reaper rolled it back");
        }));
        assertTrue(e instanceof UnexpectedRollbackException, () -> "got " + e);
        assertEverywhere(List.of());
        // The timeout was for that transaction only: the next one runs with the default (30 s) and commits.
        tx.required(() -> {
            Thread.sleep(1_300);
            writeAll("after");
        });
        assertEverywhere(List.of("after"));
    }

    @Test
    void workAfterTheTimeoutRolledBackTheTransactionIsNotCommittedEither() throws Exception {
        Exception e = assertThrows(Exception.class, () -> tx.timeoutOneSecond(() -> {
            pgJdbc.update("INSERT INTO spring_pg (id) VALUES (?)", "before");
            Thread.sleep(2_500);
            // The branch was rolled back by the reaper; this statement must not slip through in autocommit.
            pgJdbc.update("INSERT INTO spring_pg (id) VALUES (?)", "late");
        }));
        // The pool gave up the connection of the rolled-back branch: the late statement fails, it is not run.
        assertTrue(e instanceof org.springframework.dao.DataAccessException
                && e.getCause() instanceof java.sql.SQLException, () -> "got " + e);
        assertEquals(List.of(), pgIds("spring_pg"), () -> "nothing committed, got " + e);
    }

    @Test
    void aCheckedExceptionCommitsByDefault() throws Exception {
        assertThrows(CheckedFailure.class, () -> tx.required(() -> {
            writeAll("checked");
            throw new CheckedFailure("a checked exception is not a rollback by Spring's default rules");
        }));
        assertEverywhere(List.of("checked"));
    }

    @Test
    void rollbackForMakesACheckedExceptionRollBack() throws Exception {
        assertThrows(CheckedFailure.class, () -> tx.rollbackForChecked(() -> {
            writeAll("rolled-back");
            throw new CheckedFailure("rollbackFor = CheckedFailure");
        }));
        assertEverywhere(List.of());
    }

    @Test
    void noRollbackForCommitsDespiteTheRuntimeException() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> tx.noRollbackForIllegalArgument(() -> {
            writeAll("kept");
            throw new IllegalArgumentException("noRollbackFor = IllegalArgumentException");
        }));
        assertEverywhere(List.of("kept"));
    }
}
