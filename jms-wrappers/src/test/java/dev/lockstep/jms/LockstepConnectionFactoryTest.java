package dev.lockstep.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.spi.NamedXAResource;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.TopicSession;
import jakarta.jms.XASession;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.apache.activemq.artemis.api.core.Interceptor;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pooled, enlisting factory against a real Artemis broker running in this JVM (in-VM acceptor). */
class LockstepConnectionFactoryTest {

    private static EmbeddedActiveMQ broker;
    private static ActiveMQConnectionFactory plain;

    @TempDir
    Path dir;
    private Lockstep lockstep;
    private LockstepConnectionFactory cf;
    private TransactionManager tm;
    private String queue;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new EmbeddedActiveMQ();
        broker.setConfiguration(new ConfigurationImpl().setPersistenceEnabled(false).setSecurityEnabled(false)
                .addAcceptorConfiguration("in-vm", "vm://0"));
        broker.start();
        plain = new ActiveMQConnectionFactory("vm://0");
    }

    @AfterAll
    static void stopBroker() throws Exception {
        plain.close();
        broker.stop();
    }

    @BeforeEach
    void setUp() {
        lockstep = Lockstep.builder().nodeId("jms-test").logDirectory(dir).build();
        cf = LockstepConnectionFactory.artemis(lockstep, "events", "vm://0", null, null, 4);
        tm = lockstep.transactionManager();
        queue = "q-" + UUID.randomUUID();
    }

    @AfterEach
    void tearDown() {
        cf.close();
        lockstep.close();
    }

    private void send(String text) throws Exception {
        try (Connection c = cf.createConnection()) {
            Session s = c.createSession();
            s.createProducer(s.createQueue(queue)).send(s.createTextMessage(text));
        }
    }

    /** Receives from the queue outside any transaction, with a plain (non-pooled, non-XA) client. */
    private String receivePlain(long waitMillis) throws Exception {
        try (Connection c = plain.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Message m = s.createConsumer(s.createQueue(queue)).receive(waitMillis);
            return m == null ? null : ((TextMessage) m).getText();
        }
    }

    @Test
    void aSendInsideATransactionIsVisibleOnlyAfterCommit() throws Exception {
        tm.begin();
        send("hello");
        assertNull(receivePlain(200), "not visible before commit");
        tm.commit();
        assertEquals("hello", receivePlain(2000));
        assertEquals(1, lockstep.metrics().committedOnePhase(), "one branch: one-phase commit");
    }

    @Test
    void withASecondResourceTheBrokerIsPreparedAndTheDecisionLogged() throws Exception {
        long forces = lockstep.metrics().logForces();
        tm.begin();
        send("two-phase");
        tm.getTransaction().enlistResource(NamedXAResource.wrap("other", new ScriptedXAResource("other")));
        tm.commit();
        assertEquals("two-phase", receivePlain(2000));
        assertEquals(forces + 1, lockstep.metrics().logForces(), "one forced COMMIT record");
        assertEquals(1, lockstep.metrics().committed());
    }

    /*
     * Scenario: the broker branch commits, the other resource stays unreachable; Lockstep stops before the retry.
     * Expected: the next incarnation reports the decision with the broker's branch under the factory's name.
     */
    @Test
    void theDecisionRecordsTheBrokerBranchUnderTheFactoryName() throws Exception {
        tm.begin();
        send("named");
        tm.getTransaction().enlistResource(NamedXAResource.wrap("other", new ScriptedXAResource("other").failAlways(
                ScriptedXAResource.Verb.COMMIT,
                new javax.transaction.xa.XAException(javax.transaction.xa.XAException.XAER_RMFAIL))));
        tm.commit();
        assertEquals("named", receivePlain(2000));
        cf.close();
        lockstep.close();
        lockstep = Lockstep.builder().nodeId("jms-test").logDirectory(dir).build();
        cf = LockstepConnectionFactory.artemis(lockstep, "events", "vm://0", null, null, 4);
        var pending = lockstep.pendingDecisionsAtStart();
        assertEquals(1, pending.size());
        assertEquals(java.util.List.of("events", "other"),
                pending.get(0).commit().branches().stream().map(b -> b.resourceName()).toList());
    }

    @Test
    void rollbackDeliversNothing() throws Exception {
        tm.begin();
        send("never");
        tm.rollback();
        assertNull(receivePlain(300));

        tm.begin();
        send("never either");
        tm.setRollbackOnly();
        assertThrows(RollbackException.class, tm::commit);
        assertNull(receivePlain(300));
    }

    @Test
    void aReceiveRolledBackIsRedelivered() throws Exception {
        send("work"); // outside a transaction: sent at once
        tm.begin();
        try (Connection c = cf.createConnection()) {
            c.start();
            Session s = c.createSession();
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            Message m = consumer.receive(2000);
            assertNotNull(m);
            consumer.close();
        }
        tm.rollback();
        assertEquals("work", receivePlain(2000), "redelivered after rollback");
    }

    @Test
    void outsideATransactionSessionsWorkAsUsual() throws Exception {
        send("plain");
        assertEquals("plain", receivePlain(2000));
        assertEquals(0, lockstep.metrics().begun());
    }

    @Test
    void theNameIsUniqueAndRegisteredForRecovery() throws Exception {
        var e = assertThrows(IllegalStateException.class,
                () -> LockstepConnectionFactory.artemis(lockstep, "events", "vm://0", null, null, 1));
        assertTrue(e.getMessage().contains("'events'"), e.getMessage());
        try (var conn = new ArtemisRecoverableResource("events-recovery", "vm://0", null, null).connect()) {
            Xid[] inDoubt = conn.xaResource().recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
            assertEquals(0, inDoubt.length);
        }
    }

    @Test
    void aCustomizerSetsTheClientFactoriesOfThePoolAndOfRecoveryAlike() throws Exception {
        List<ActiveMQXAConnectionFactory> customized = new ArrayList<>();
        try (LockstepConnectionFactory tuned = LockstepConnectionFactory.artemis(lockstep, "tuned", "vm://0", null,
                null, 2, f -> {
                    f.setCallTimeout(4_321);
                    customized.add(f);
                })) {
            assertEquals(2, customized.size(), "the pool's factory and the recovery connections' factory");
            assertTrue(customized.get(0) != customized.get(1));
            assertTrue(customized.contains(tuned.pool().getConnectionFactory()), "the pool uses a customized one");
            customized.forEach(f -> assertEquals(4_321, f.getCallTimeout()));
            tm.begin();
            try (Connection c = tuned.createConnection()) {
                Session s = c.createSession();
                s.createProducer(s.createQueue(queue)).send(s.createTextMessage("tuned"));
            }
            tm.commit();
            assertEquals("tuned", receivePlain(2000));
        }
    }

    @Test
    void aMissingCustomizerIsNamed() {
        var e = assertThrows(NullPointerException.class,
                () -> LockstepConnectionFactory.artemis(lockstep, "tuned", "vm://0", null, null, 1, null));
        assertTrue(e.getMessage().contains("customizer"), e.getMessage());
    }

    /** Counts the packets a factory's client sends, by packet class: which round trips a transaction costs. */
    private static final class Packets {
        final Map<String, Integer> sent = new ConcurrentHashMap<>();
        final Interceptor counter = (packet, connection) -> {
            sent.merge(packet.getClass().getSimpleName(), 1, Integer::sum);
            return true;
        };

        int count(String prefix) {
            return sent.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToInt(Map.Entry::getValue).sum();
        }
    }

    private LockstepConnectionFactory counted(Packets packets) {
        return LockstepConnectionFactory.artemis(lockstep, "counted", "vm://0", null, null, 1,
                f -> f.getServerLocator().addOutgoingInterceptor(packets.counter));
    }

    private Queue sendInTransaction(LockstepConnectionFactory factory, String text) throws Exception {
        tm.begin();
        Queue q;
        try (Connection c = factory.createConnection(); Session s = c.createSession(true, Session.SESSION_TRANSACTED)) {
            q = s.createQueue(queue);
            s.createProducer(q).send(s.createTextMessage(text));
        }
        tm.commit();
        return q;
    }

    /*
     * Scenario: a queue the broker keeps (created, not auto-created), looked up in each transaction as JMS code does.
     * Expected: after the first transactions no lookup reaches the broker, the same Queue object comes back, the
     * session and its producer are the pooled ones, and each message is delivered.
     */
    @Test
    void aQueueTheBrokerKeepsCostsNoLookupAfterTheFirst() throws Exception {
        broker.getActiveMQServer().createQueue(QueueConfiguration.of(queue).setRoutingType(RoutingType.ANYCAST)
                .setAutoCreateAddress(true));
        Packets packets = new Packets();
        try (LockstepConnectionFactory factory = counted(packets)) {
            Queue first = sendInTransaction(factory, "m0");
            sendInTransaction(factory, "m1");
            packets.sent.clear();
            for (int i = 2; i < 7; i++) {
                assertTrue(first == sendInTransaction(factory, "m" + i), "the kept Queue object");
            }
            assertEquals(0, packets.count("SessionQueueQuery"), packets.sent.toString());
            assertEquals(0, packets.count("SessionBindingQuery"), packets.sent.toString());
            assertEquals(0, packets.count("CreateSession"), packets.sent.toString());
            assertEquals(0, packets.count("CreateProducer"), packets.sent.toString());
            assertEquals(5, packets.count("SessionXAStart"), packets.sent.toString());
            assertEquals(5, packets.count("SessionSend"), packets.sent.toString());
        }
        for (int i = 0; i < 7; i++) {
            assertEquals("m" + i, receivePlain(2000));
        }
    }

    /*
     * Scenario: an auto-created queue, which Artemis deletes by default once it is empty and unused; it is deleted
     * between two transactions.
     * Expected: it is looked up in every transaction, so the send after its deletion creates it again and is
     * delivered (a kept, already checked Queue object would have been routed nowhere).
     */
    @Test
    void anAutoDeletedQueueIsLookedUpEachTimeSoItsDeletionLosesNothing() throws Exception {
        Packets packets = new Packets();
        try (LockstepConnectionFactory factory = counted(packets)) {
            sendInTransaction(factory, "before");
            assertEquals("before", receivePlain(2000));
            packets.sent.clear();
            broker.getActiveMQServer().destroyQueue(SimpleString.of(queue));
            sendInTransaction(factory, "after");
            assertTrue(packets.count("SessionQueueQuery") > 0, packets.sent.toString());
        }
        assertEquals("after", receivePlain(2000));
    }

    /*
     * Scenario: an auto-created queue (not kept), used in two transactions.
     * Expected: the second transaction asks the broker only what Artemis itself asks (the lookup of createQueue, and
     * the address and queue checks of the first send through the new object): whether the queue is kept was asked
     * once, in the first, and is not asked again within the recheck interval.
     */
    @Test
    void whetherAQueueIsKeptIsAskedOncePerRecheckInterval() throws Exception {
        Packets packets = new Packets();
        try (LockstepConnectionFactory factory = counted(packets)) {
            sendInTransaction(factory, "first");
            int first = packets.count("SessionQueueQuery");
            packets.sent.clear();
            sendInTransaction(factory, "second");
            assertEquals(first - 1, packets.count("SessionQueueQuery"), packets.sent.toString());
        }
        assertEquals("first", receivePlain(2000));
        assertEquals("second", receivePlain(2000));
    }

    @Test
    void aKeptQueueIsLookedUpAgainAfterTheRecheckInterval() throws Exception {
        broker.getActiveMQServer().createQueue(QueueConfiguration.of(queue).setRoutingType(RoutingType.ANYCAST)
                .setAutoCreateAddress(true));
        AtomicLong now = new AtomicLong();
        QueueCache cache = new QueueCache(now::get);
        try (Connection c = cf.pool().createConnection()) {
            Session s = c.createSession();
            Queue first = cache.createQueue(s, queue);
            now.addAndGet(QueueCache.RECHECK_NANOS - 1);
            assertTrue(first == cache.createQueue(s, queue));
            now.addAndGet(1);
            Queue second = cache.createQueue(s, queue);
            assertTrue(first != second, "looked up again");
            assertTrue(second == cache.createQueue(s, queue), "and kept again");
            assertEquals(1, cache.size());
            Queue temporary = s.createTemporaryQueue();
            assertTrue(cache.createQueue(s, temporary.getQueueName()) != cache.createQueue(s,
                    temporary.getQueueName()), "a temporary queue is not kept");
            assertEquals(1, cache.size());
        }
    }

    @Test
    void theHandedOutSessionsAreEveryKindOfJmsSessionAndKeepTheirIdentity() throws Exception {
        try (Connection c = cf.createConnection()) {
            Session s = c.createSession();
            assertTrue(s instanceof QueueSession && s instanceof TopicSession && s instanceof XASession);
            assertTrue(((XASession) s).getSession() == s, "XASession.getSession() is the same proxy");
            assertEquals(s, s);
            assertTrue(!s.equals(c.createSession()));
            assertEquals(System.identityHashCode(s), s.hashCode());
            assertTrue(s.toString().contains("JmsPoolSession"), s.toString());
            QueueSession qs = ((QueueConnection) c).createQueueSession(false, Session.AUTO_ACKNOWLEDGE);
            qs.createSender(qs.createQueue(queue)).send(qs.createTextMessage("queue session"));
            var e = assertThrows(jakarta.jms.IllegalStateException.class, () -> {
                s.close();
                s.createTextMessage("after close");
            });
            assertNotNull(e.getMessage());
        }
        assertEquals("queue session", receivePlain(2000));
    }
}
