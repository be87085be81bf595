package dev.lockstep.tm.jndi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.LockstepInstances;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import javax.naming.Context;
import javax.naming.InitialContext;
import javax.naming.NameAlreadyBoundException;
import javax.naming.NamingException;
import javax.naming.Reference;
import javax.naming.StringRefAddr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LockstepJndi and LockstepObjectFactory over a plain in-memory InitialContext. */
class JndiTest {

    @TempDir
    Path dir;
    private InitialContext jndi;

    @BeforeEach
    void context() throws NamingException {
        InMemoryContext.Factory.ROOT.clear();
        Hashtable<String, Object> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, InMemoryContext.Factory.class.getName());
        jndi = new InitialContext(env);
    }

    @AfterEach
    void closeWhatTheFactoryBuilt() {
        for (String node : new String[] {"jndi-1", "jndi-2", "jndi-bad", "jndi-timeout"}) {
            LockstepObjectFactory.close(node);
        }
    }

    private Reference ref(String type, Map<String, String> attributes) {
        Reference r = new Reference(type, LockstepObjectFactory.class.getName(), null);
        attributes.forEach((k, v) -> r.add(new StringRefAddr(k, v)));
        return r;
    }

    private Map<String, String> node1() {
        return Map.of("nodeId", "jndi-1", "logDirectory", dir.toString(), "defaultTimeout", "30s");
    }

    private Object create(Reference r) throws Exception {
        return new LockstepObjectFactory().getObjectInstance(r, null, null, null);
    }

    @Test
    void theHelperBindsTheThreeObjectsWhereContainersAndSpringLookAndUnbindsThem() throws Exception {
        try (Lockstep ls = Lockstep.builder().nodeId("jndi-helper").logDirectory(dir).build()) {
            LockstepJndi.bind(jndi, ls); // creates java:comp
            assertSame(ls.userTransaction(), jndi.lookup("java:comp/UserTransaction"));
            assertSame(ls.transactionManager(), jndi.lookup("java:comp/TransactionManager"));
            assertSame(ls.transactionSynchronizationRegistry(),
                    jndi.lookup("java:comp/TransactionSynchronizationRegistry"));
            LockstepJndi.bind(jndi, ls); // again: already bound to the same objects, fine

            UserTransaction ut = (UserTransaction) jndi.lookup(LockstepJndi.USER_TRANSACTION);
            ut.begin();
            var tsr = (TransactionSynchronizationRegistry) jndi.lookup(LockstepJndi.TRANSACTION_SYNCHRONIZATION_REGISTRY);
            assertEquals(Status.STATUS_ACTIVE, tsr.getTransactionStatus());
            ut.commit();

            LockstepJndi.unbind(jndi, ls);
            assertThrows(NamingException.class, () -> jndi.lookup(LockstepJndi.TRANSACTION_MANAGER));
        }
    }

    @Test
    void theHelperRefusesANameTakenByAnotherObjectAndLeavesNothingHalfBound() throws Exception {
        jndi.createSubcontext("java:comp");
        jndi.bind(LockstepJndi.TRANSACTION_MANAGER, "someone else's");
        try (Lockstep ls = Lockstep.builder().nodeId("jndi-taken").logDirectory(dir).build()) {
            var e = assertThrows(NameAlreadyBoundException.class, () -> LockstepJndi.bind(jndi, ls));
            assertTrue(e.getMessage().contains("java:comp/TransactionManager is already bound"), e.getMessage());
            assertThrows(NamingException.class, () -> jndi.lookup(LockstepJndi.USER_TRANSACTION),
                    "the UserTransaction bound before the failure was unbound again");
            LockstepJndi.unbind(jndi, ls);
            assertEquals("someone else's", jndi.lookup(LockstepJndi.TRANSACTION_MANAGER), "left alone");
        }
    }

    @Test
    void referencesBoundInJndiGiveOneLockstepPerNodeId() throws Exception {
        jndi.createSubcontext("java:comp");
        jndi.bind(LockstepJndi.USER_TRANSACTION, ref(LockstepObjectFactory.USER_TRANSACTION, node1()));
        jndi.bind(LockstepJndi.TRANSACTION_MANAGER, ref(LockstepObjectFactory.TRANSACTION_MANAGER, node1()));
        jndi.bind(LockstepJndi.TRANSACTION_SYNCHRONIZATION_REGISTRY,
                ref(LockstepObjectFactory.TRANSACTION_SYNCHRONIZATION_REGISTRY, node1()));
        jndi.bind("java:comp/lockstep", ref(LockstepObjectFactory.LOCKSTEP, node1()));

        Lockstep ls = (Lockstep) jndi.lookup("java:comp/lockstep");
        assertEquals("jndi-1", ls.nodeId());
        assertTrue(LockstepInstances.open().contains(ls));
        assertSame(ls.userTransaction(), jndi.lookup(LockstepJndi.USER_TRANSACTION));
        assertSame(ls.transactionManager(), jndi.lookup(LockstepJndi.TRANSACTION_MANAGER));
        assertSame(ls.transactionSynchronizationRegistry(),
                jndi.lookup(LockstepJndi.TRANSACTION_SYNCHRONIZATION_REGISTRY));
        assertSame(ls, jndi.lookup("java:comp/lockstep"), "every lookup, the same instance");

        assertTrue(LockstepObjectFactory.close("jndi-1"));
        Lockstep next = (Lockstep) jndi.lookup("java:comp/lockstep");
        assertNotSame(ls, next, "after close, the next lookup builds a new instance");
        assertEquals(ls.incarnation() + 1, next.incarnation());
    }

    @Test
    void theAttributesReachTheBuilder() throws Exception {
        TransactionManager tm = (TransactionManager) create(ref(LockstepObjectFactory.TRANSACTION_MANAGER,
                Map.of("nodeId", "jndi-timeout", "logDirectory", dir.toString(), "defaultTimeout", "1s",
                        "timeoutCheckInterval", "20ms")));
        tm.begin();
        Thread.sleep(1300);
        assertThrows(RollbackException.class, tm::commit, "defaultTimeout=1s: the reaper rolled it back");
    }

    @Test
    void aReferenceWithOtherAttributesForAnOpenNodeIsRefusedNamingTheAttribute() throws Exception {
        create(ref(LockstepObjectFactory.LOCKSTEP, node1()));
        var e = assertThrows(NamingException.class, () -> create(ref(LockstepObjectFactory.TRANSACTION_MANAGER,
                Map.of("nodeId", "jndi-1", "logDirectory", dir.toString(), "defaultTimeout", "45s"))));
        assertTrue(e.getMessage().contains("defaultTimeout=30s") && e.getMessage().contains("defaultTimeout=45s"),
                e.getMessage());
    }

    @Test
    void aNodeIdOpenedByTheApplicationItselfIsNotBuiltTwice() throws Exception {
        try (Lockstep mine = Lockstep.builder().nodeId("jndi-2").logDirectory(dir.resolve("elsewhere")).build()) {
            var e = assertThrows(NamingException.class, () -> create(ref(LockstepObjectFactory.LOCKSTEP,
                    Map.of("nodeId", "jndi-2", "logDirectory", dir.toString()))));
            assertTrue(e.getMessage().contains("already open") && e.getMessage().contains("LockstepJndi.bind"),
                    e.getMessage());
            assertTrue(LockstepInstances.open().contains(mine));
        }
    }

    @Test
    void missingAndBadAttributesAreClearErrors() throws Exception {
        String d = dir.toString();
        assertError("the attribute nodeId is missing", Map.of("logDirectory", d));
        assertError("the attribute logDirectory is missing", Map.of("nodeId", "jndi-bad"));
        assertError("defaultTimeout='sixty' is not valid: write a duration as a whole number and a unit",
                Map.of("nodeId", "jndi-bad", "logDirectory", d, "defaultTimeout", "sixty"));
        assertError("cannot build Lockstep node 'jndi-bad' from the attributes {defaultTimeout=1500ms, logDirectory="
                + d + ", nodeId=jndi-bad}: defaultTimeout must be a whole number of seconds",
                Map.of("nodeId", "jndi-bad", "logDirectory", d, "defaultTimeout", "1500ms"));
        assertError("parallelPhases='yes' is not valid: write true or false",
                Map.of("nodeId", "jndi-bad", "logDirectory", d, "parallelPhases", "yes"));
        assertError("phaseThreads must be between 1 and 256, got 0",
                Map.of("nodeId", "jndi-bad", "logDirectory", d, "phaseThreads", "0"));
        assertError("nodeId 'has space'", Map.of("nodeId", "has space", "logDirectory", d));
        assertError("unknown attribute 'defaultTimout': Lockstep's attributes are [decisionStoreCreateSchema, "
                + "decisionStoreDataSource, decisionStoreLease, decisionStoreSchema, defaultTimeout, drainTimeout,",
                Map.of("nodeId", "jndi-bad", "logDirectory", d, "defaultTimout", "30s"));

        var wrongType = assertThrows(NamingException.class, () -> create(ref("javax.sql.DataSource", node1())));
        assertTrue(wrongType.getMessage().contains("type 'javax.sql.DataSource' is not one Lockstep provides"),
                wrongType.getMessage());
        assertNull(create(null), "not a Reference: not ours (ObjectFactory contract)");
        Reference tomcatStyle = ref(LockstepObjectFactory.USER_TRANSACTION,
                Map.of("nodeId", "jndi-bad", "logDirectory", d, "factory", LockstepObjectFactory.class.getName(),
                        "singleton", "true", "auth", "Container"));
        assertTrue(create(tomcatStyle) instanceof UserTransaction, "the container's own attributes are ignored");
    }

    private void assertError(String expected, Map<String, String> attributes) {
        var e = assertThrows(NamingException.class, () -> create(ref(LockstepObjectFactory.LOCKSTEP, attributes)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void durations() {
        assertEquals(Duration.ofMillis(500), LockstepObjectFactory.duration("500ms"));
        assertEquals(Duration.ofSeconds(60), LockstepObjectFactory.duration("60s"));
        assertEquals(Duration.ofMinutes(2), LockstepObjectFactory.duration("2m"));
        assertEquals(Duration.ofHours(1), LockstepObjectFactory.duration("1h"));
        assertThrows(IllegalArgumentException.class, () -> LockstepObjectFactory.duration("60"));
        assertThrows(IllegalArgumentException.class, () -> LockstepObjectFactory.duration("-1s"));
        assertEquals(Duration.ofSeconds(60), LockstepObjectFactory.duration("PT60S"), "Lockstep's one syntax");
    }

    @Test
    void boundsAreTheBuildersUnderTheAttributesName() {
        String d = dir.toString();
        assertError("groupCommitMaxWait must be between 0s and 1s, got 2s",
                Map.of("nodeId", "jndi-bad", "logDirectory", d, "groupCommitMaxWait", "2s"));
        assertError("logSegmentBytes must be between 65536 (64 KiB) and 1073741824 (1 GiB), got 2147483648 (2 GiB)",
                Map.of("nodeId", "jndi-bad", "logDirectory", d, "logSegmentBytes", "2147483648"));
    }

    @Test
    void theDecisionStoreAttributesAreCheckedBeforeAnythingIsBuilt() throws Exception {
        var noStore = assertThrows(NamingException.class, () -> create(ref(LockstepObjectFactory.LOCKSTEP,
                Map.of("nodeId", "jndi-bad", "decisionStoreLease", "30s", "logDirectory", dir.toString()))));
        assertTrue(noStore.getMessage().contains("decisionStoreLease needs decisionStoreDataSource"),
                noStore.getMessage());
        var neither = assertThrows(NamingException.class, () -> create(ref(LockstepObjectFactory.LOCKSTEP,
                Map.of("nodeId", "jndi-bad"))));
        assertTrue(neither.getMessage().contains("logDirectory is missing")
                && neither.getMessage().contains("decisionStoreDataSource"), neither.getMessage());

        String before = System.getProperty(Context.INITIAL_CONTEXT_FACTORY);
        System.setProperty(Context.INITIAL_CONTEXT_FACTORY, InMemoryContext.Factory.class.getName());
        try {
            jndi.bind("notADataSource", "a string");
            var wrongType = assertThrows(NamingException.class, () -> create(ref(LockstepObjectFactory.LOCKSTEP,
                    Map.of("nodeId", "jndi-bad", "decisionStoreDataSource", "notADataSource"))));
            assertTrue(wrongType.getMessage().contains("not a javax.sql.DataSource"), wrongType.getMessage());
            var missing = assertThrows(NamingException.class, () -> create(ref(LockstepObjectFactory.LOCKSTEP,
                    Map.of("nodeId", "jndi-bad", "decisionStoreDataSource", "nothingHere"))));
            assertTrue(missing.getMessage().contains("names nothing that can be looked up"), missing.getMessage());
            jndi.bind("decisions", java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {javax.sql.DataSource.class}, (p, m, a) -> {
                        throw new java.sql.SQLException("no database in this test");
                    }));
            var shortLease = assertThrows(NamingException.class, () -> create(ref(LockstepObjectFactory.LOCKSTEP,
                    Map.of("nodeId", "jndi-bad", "decisionStoreDataSource", "decisions", "decisionStoreLease",
                            "1s"))));
            assertTrue(shortLease.getMessage().contains("lease PT1S must be between 2 s and 10 min"),
                    shortLease.getMessage());
            var unreachable = assertThrows(NamingException.class, () -> create(ref(LockstepObjectFactory.LOCKSTEP,
                    Map.of("nodeId", "jndi-bad", "decisionStoreDataSource", "decisions"))));
            assertTrue(unreachable.getMessage().contains("LKS-042")
                    && unreachable.getMessage().contains("no database in this test"), unreachable.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(Context.INITIAL_CONTEXT_FACTORY);
            } else {
                System.setProperty(Context.INITIAL_CONTEXT_FACTORY, before);
            }
        }
    }
}
