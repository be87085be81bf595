package dev.lockstep.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.Lockstep;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceUnitTransactionType;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.UserTransaction;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.h2.jdbcx.JdbcDataSource;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatformProvider;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform inside a real Hibernate bootstrap: found without configuration, bound to the right Lockstep, and
 * registering Hibernate's synchronization as an interposed one. H2 (autocommit, not XA) stands in for a database:
 * these tests are about Hibernate and the TM; the integration tests cover XA databases.
 */
class LockstepJtaPlatformTest {

    @TempDir
    Path dir;
    private JdbcDataSource h2;

    @BeforeEach
    void database() {
        h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + dir.getFileName() + ";DB_CLOSE_DELAY=-1");
    }

    private EntityManagerFactory jpa(PersistenceUnitTransactionType type, Map<String, Object> properties) {
        return new HibernatePersistenceConfiguration("notes").managedClass(Note.class).transactionType(type)
                .property("hibernate.connection.datasource", h2).schemaToolingAction(Action.CREATE_DROP)
                .properties(properties).createEntityManagerFactory();
    }

    private static JtaPlatform platformOf(EntityManagerFactory emf) {
        return emf.unwrap(SessionFactoryImplementor.class).getServiceRegistry().requireService(JtaPlatform.class);
    }

    private long count(String where) throws Exception {
        try (Connection c = h2.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM Note WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void theProviderIsAJavaService() {
        List<Class<?>> found = new ArrayList<>();
        ServiceLoader.load(JtaPlatformProvider.class).forEach(p -> found.add(p.getClass()));
        assertEquals(List.of(LockstepJtaPlatformProvider.class), found);
    }

    @Test
    void hibernateFindsThePlatformAndTheNamedLockstepWithoutOtherConfiguration() throws Exception {
        try (Lockstep a = Lockstep.builder().nodeId("hib-a").logDirectory(dir).build();
             Lockstep b = Lockstep.builder().nodeId("hib-b").logDirectory(dir).build();
             EntityManagerFactory emf = jpa(PersistenceUnitTransactionType.JTA,
                     Map.of(LockstepJtaPlatform.NODE_ID, "hib-b"))) {
            LockstepJtaPlatform platform = assertInstanceOf(LockstepJtaPlatform.class, platformOf(emf));
            assertSame(b, platform.lockstep());
            assertSame(b.transactionManager(), platform.retrieveTransactionManager());
            assertSame(b.userTransaction(), platform.retrieveUserTransaction());

            UserTransaction ut = b.userTransaction();
            ut.begin();
            try (EntityManager em = emf.createEntityManager()) {
                assertTrue(em.isJoinedToTransaction(), "a JTA entity manager joins the running transaction");
                em.persist(new Note("n1", "hello"));
                assertEquals(0, count("id = 'n1'"), "nothing is flushed before completion");
                ut.commit();
            }
            assertEquals(1, count("id = 'n1'"), "Hibernate flushed in beforeCompletion");
            assertEquals(1, b.metrics().committed());
            assertEquals(0, a.metrics().begun(), "the other Lockstep is not used");
        }
    }

    /**
     * JTA 1.1 section 3.7: interposed synchronizations' beforeCompletion runs after every ordinary one. Hibernate's is
     * interposed (TSR strategy), so what an application synchronization registered after Hibernate's still changes in
     * the persistence context is flushed; with the TransactionManager strategy Hibernate would flush first and lose it.
     */
    @Test
    void hibernatesSynchronizationIsInterposedAndFlushesAfterTheApplications() throws Exception {
        try (Lockstep ls = Lockstep.builder().nodeId("hib-order").logDirectory(dir).build();
             EntityManagerFactory emf = jpa(PersistenceUnitTransactionType.JTA,
                     Map.of(LockstepJtaPlatform.NODE_ID, "hib-order"))) {
            ls.userTransaction().begin();
            try (EntityManager em = emf.createEntityManager()) {
                Note note = new Note("n2", "draft");
                em.persist(note); // registers Hibernate's synchronization with the transaction
                List<String> events = new ArrayList<>();
                ls.transactionManager().getTransaction().registerSynchronization(new Synchronization() {
                    @Override
                    public void beforeCompletion() {
                        events.add("application beforeCompletion");
                        note.text = "final";
                        em.persist(new Note("n3", "added in beforeCompletion"));
                    }

                    @Override
                    public void afterCompletion(int status) {
                        events.add("application afterCompletion " + status);
                    }
                });
                ls.userTransaction().commit();
                assertEquals(List.of("application beforeCompletion", "application afterCompletion "
                        + Status.STATUS_COMMITTED), events);
            }
            assertEquals(1, count("id = 'n2' AND text = 'final'"), "the late change was flushed");
            assertEquals(1, count("id = 'n3'"));
        }
    }

    @Test
    void aNodeIdThatIsNotOpenFailsTheFactoryWithTheSettingsName() {
        try (Lockstep ls = Lockstep.builder().nodeId("hib-open").logDirectory(dir).build()) {
            var e = assertThrows(RuntimeException.class, () -> jpa(PersistenceUnitTransactionType.JTA,
                    Map.of(LockstepJtaPlatform.NODE_ID, "hib-missing")).close());
            String messages = messages(e);
            assertTrue(messages.contains("no open Lockstep has node id 'hib-missing' (setting lockstep.node_id)")
                    && messages.contains("hib-open"), messages);
        }
    }

    @Test
    void severalOpenAndNoNodeIdFailsTheFactoryWithTheSettingsName() {
        try (Lockstep a = Lockstep.builder().nodeId("hib-x").logDirectory(dir).build();
             Lockstep b = Lockstep.builder().nodeId("hib-y").logDirectory(dir).build()) {
            var e = assertThrows(RuntimeException.class,
                    () -> jpa(PersistenceUnitTransactionType.JTA, Map.of()).close());
            String messages = messages(e);
            assertTrue(messages.contains("2 Lockstep instances are open") && messages.contains("set lockstep.node_id"),
                    messages);
        }
    }

    @Test
    void theOnlyOpenLockstepIsTakenWhenNoNodeIdIsSet() {
        try (Lockstep only = Lockstep.builder().nodeId("hib-only").logDirectory(dir).build();
             EntityManagerFactory emf = jpa(PersistenceUnitTransactionType.JTA, Map.of())) {
            assertSame(only, ((LockstepJtaPlatform) platformOf(emf)).lockstep());
        }
    }

    /** Having this module on the class path must not break an application's RESOURCE_LOCAL units. */
    @Test
    void aResourceLocalUnitWorksWithNoLockstepOpen() throws Exception {
        try (EntityManagerFactory emf = jpa(PersistenceUnitTransactionType.RESOURCE_LOCAL, Map.of());
             EntityManager em = emf.createEntityManager()) {
            em.getTransaction().begin();
            em.persist(new Note("local", "no JTA"));
            em.getTransaction().commit();
            assertEquals(1, count("id = 'local'"));
            assertFalse(em.isJoinedToTransaction());
        }
    }

    @Test
    void aPlatformCreatedByHandUsesItsLockstepAndAnUnconfiguredOneSaysWhatToDo() {
        try (Lockstep ls = Lockstep.builder().nodeId("hib-hand").logDirectory(dir).build()) {
            LockstepJtaPlatform platform = new LockstepJtaPlatform(ls);
            platform.configure(Map.of(LockstepJtaPlatform.NODE_ID, "ignored"));
            assertSame(ls.transactionManager(), platform.retrieveTransactionManager());
        }
        var e = assertThrows(RuntimeException.class, () -> new LockstepJtaPlatform().retrieveTransactionManager());
        assertTrue(e.getMessage().contains("new LockstepJtaPlatform(lockstep)"), e.getMessage());
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append(" | ");
        }
        return sb.toString();
    }
}
