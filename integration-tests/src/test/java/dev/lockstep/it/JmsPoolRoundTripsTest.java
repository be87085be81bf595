package dev.lockstep.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.jms.LockstepConnectionFactory;
import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.spi.NamedXAResource;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.api.core.ActiveMQNotConnectedException;
import org.apache.activemq.artemis.api.core.Interceptor;
import org.apache.activemq.artemis.core.protocol.core.impl.PacketImpl;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a transaction costs on the JMS path of {@link LockstepConnectionFactory}, counted in packets on the harness's
 * Artemis broker (a real broker JVM over TCP), and that pooled XA sessions reused across transactions keep every
 * message's outcome: delivered once on commit, never on rollback, redelivered after a rolled-back receive, from 8
 * threads at once, and after a connection failure (docs/xa-quirks.md, "Artemis and pooled-jms: what a transaction
 * costs"). The harness broker keeps its auto-created queues (auto-delete off), so the factory keeps the test's queue.
 */
class JmsPoolRoundTripsTest {

    private Lockstep lockstep;
    private TransactionManager tm;
    private String url;
    private String queue;
    private final Packets packets = new Packets();

    /** Counts a client's packets: those it sends, by class, and the responses it waits for (its round trips). */
    private static final class Packets {
        final Map<String, Integer> sent = new ConcurrentHashMap<>();
        final Map<String, Integer> responses = new ConcurrentHashMap<>();
        final List<RemotingConnection> connections = new CopyOnWriteArrayList<>();
        final Interceptor outgoing = (packet, connection) -> {
            sent.merge(packet.getClass().getSimpleName(), 1, Integer::sum);
            return true;
        };
        final Interceptor incoming = (packet, connection) -> {
            if (!connections.contains(connection)) {
                connections.add(connection);
            }
            if (packet.isResponse() && packet.getType() != PacketImpl.PING) {
                responses.merge(packet.getClass().getSimpleName(), 1, Integer::sum);
            }
            return true;
        };

        void clear() {
            sent.clear();
            responses.clear();
        }

        int sent(String prefix) {
            return sent.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToInt(Map.Entry::getValue).sum();
        }

        int roundTrips() {
            return responses.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    @BeforeEach
    void start() throws Exception {
        url = Servers.artemis().brokerUrl();
        queue = "it.jmspool." + UUID.randomUUID();
        Path logDir = Files.createTempDirectory(Path.of("target"), "lockstep-log-");
        lockstep = Lockstep.builder().nodeId("it-jms-pool").logDirectory(logDir.toAbsolutePath()).build();
        tm = lockstep.transactionManager();
    }

    @AfterEach
    void stop() {
        lockstep.close();
    }

    private LockstepConnectionFactory factory(int maxConnections) {
        return LockstepConnectionFactory.artemis(lockstep, "events", url, null, null, maxConnections, f -> {
            f.getServerLocator().addOutgoingInterceptor(packets.outgoing);
            f.getServerLocator().addIncomingInterceptor(packets.incoming);
        });
    }

    private interface Connections {
        Connection open() throws JMSException;
    }

    /** The typical code of an application, inside a transaction; with a second branch, the commit is two-phase. */
    private void send(Connections connections, String text, boolean twoPhase) throws Exception {
        tm.begin();
        if (twoPhase) {
            tm.getTransaction().enlistResource(NamedXAResource.wrap("other", new ScriptedXAResource("other")));
        }
        try (Connection c = connections.open(); Session s = c.createSession(true, Session.SESSION_TRANSACTED)) {
            s.createProducer(s.createQueue(queue)).send(s.createTextMessage(text));
        }
        tm.commit();
    }

    /*
     * Scenario: 20 transactions through pooled-jms' own connections (the factory's pool(), as the factory was before
     * its queue cache), then 20 through the factory's connections, after a warm-up of each, on one pooled
     * connection; two-phase (a second branch), then one-phase (the send alone).
     * Expected: neither path creates a session or a producer. pooled-jms' path waits for 7 responses per two-phase
     * transaction (XA start, end, prepare, commit, and the three lookups of the queue) and 6 per one-phase one; the
     * factory's for the XA calls alone, 4 and 3. The send waits for none. Every message is delivered once.
     */
    @Test
    void aTransactionWaitsForItsXaCallsOnly() throws Exception {
        int n = 20;
        List<String> expected = new ArrayList<>();
        try (LockstepConnectionFactory cf = factory(1)) {
            Connections before = () -> cf.pool().createConnection();
            Connections after = cf::createConnection;
            for (int i = 0; i < 3; i++) {
                send(before, "warm-before-" + i, true);
                send(after, "warm-after-" + i, true);
                expected.add("warm-before-" + i);
                expected.add("warm-after-" + i);
            }
            for (boolean twoPhase : new boolean[] {true, false}) {
                int[] roundTrips = new int[2];
                for (int side = 0; side < 2; side++) {
                    packets.clear();
                    for (int i = 0; i < n; i++) {
                        String text = (side == 0 ? "before-" : "after-") + twoPhase + "-" + i;
                        send(side == 0 ? before : after, text, twoPhase);
                        expected.add(text);
                    }
                    String seen = (twoPhase ? "two-phase, " : "one-phase, ")
                            + (side == 0 ? "pooled-jms alone: " : "LockstepConnectionFactory: ")
                            + "sent " + packets.sent + ", responses " + packets.responses;
                    System.out.println(seen);
                    assertEquals(0, packets.sent("CreateSession"), seen);
                    assertEquals(0, packets.sent("CreateProducer"), seen);
                    assertEquals(n, packets.sent("SessionXAStart"), seen);
                    assertEquals(twoPhase ? n : 0, packets.sent("SessionXAPrepare"), seen);
                    assertEquals(n, packets.sent("SessionSend"), seen);
                    roundTrips[side] = packets.roundTrips();
                }
                int xaCalls = twoPhase ? 4 : 3;
                assertEquals((xaCalls + 3) * n, roundTrips[0], "pooled-jms alone: the XA calls and three lookups");
                assertEquals(xaCalls * n, roundTrips[1], "the factory: the XA calls alone");
            }
        }
        assertEquals(sorted(expected), sorted(drain()));
    }

    /*
     * Scenario: 8 threads, 40 transactions each, on 4 pooled connections: a quarter roll back, a tenth are marked
     * rollback-only and fail to commit, the rest commit, one-phase (the send alone) or two-phase (with a second
     * branch). Expected: exactly the committed messages are delivered, each once; after a warm-up round the sessions
     * created stay within what 8 concurrent users need, not one per transaction.
     */
    @Test
    void eightThreadsDeliverExactlyTheCommittedMessagesOnce() throws Exception {
        int threads = 8;
        int perThread = 40;
        List<String> committed = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (LockstepConnectionFactory cf = factory(4)) {
            for (int round = 0; round < 2; round++) {
                packets.clear();
                int count = round == 0 ? 3 : perThread;
                String prefix = "r" + round + "-";
                List<Thread> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    workers.add(new Thread(() -> {
                        try {
                            for (int i = 0; i < count; i++) {
                                String text = prefix + thread + "-" + i;
                                if (transaction(cf, i, text)) {
                                    committed.add(text);
                                }
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }));
                }
                workers.forEach(Thread::start);
                for (Thread w : workers) {
                    w.join(120_000);
                }
                assertEquals(List.of(), failures);
            }
            int sessions = packets.sent("CreateSession");
            System.out.println("8 threads x " + perThread + " transactions: " + sessions + " sessions created, sent "
                    + packets.sent);
            // At most one XA session per thread on each of the 4 connections, whatever the number of transactions.
            assertTrue(sessions <= threads * 4, sessions + " sessions created for " + threads * perThread
                    + " transactions");
        }
        List<String> delivered = drain();
        assertEquals(delivered.size(), new HashSet<>(delivered).size(), "a message delivered twice");
        assertEquals(sorted(committed), sorted(delivered));
    }

    /** One transaction of the concurrent test; whether it committed. */
    private boolean transaction(LockstepConnectionFactory cf, int i, String text) throws Exception {
        tm.begin();
        if (i % 2 == 0) {
            tm.getTransaction().enlistResource(NamedXAResource.wrap("other", new ScriptedXAResource("other")));
        }
        try (Connection c = cf.createConnection()) {
            Session s = c.createSession();
            s.createProducer(s.createQueue(queue)).send(s.createTextMessage(text));
        }
        if (i % 4 == 3) {
            tm.rollback();
            return false;
        }
        if (i % 10 == 5) {
            tm.setRollbackOnly();
            assertThrows(RollbackException.class, tm::commit);
            return false;
        }
        tm.commit();
        return true;
    }

    /*
     * Scenario: six messages sent outside any transaction (visible at once); then transactions that each receive one
     * message on a pooled session, rolling back the first delivery of each and committing the second.
     * Expected: each message is redelivered after its rollback and consumed once by a commit; the queue ends empty.
     */
    @Test
    void aRolledBackReceiveIsRedeliveredToTheNextTransaction() throws Exception {
        Set<String> sent = new HashSet<>();
        Set<String> rolledBack = new HashSet<>();
        List<String> consumed = new ArrayList<>();
        try (LockstepConnectionFactory cf = factory(2)) {
            for (int i = 0; i < 6; i++) {
                try (Connection c = cf.createConnection()) {
                    Session s = c.createSession();
                    s.createProducer(s.createQueue(queue)).send(s.createTextMessage("m" + i));
                }
                sent.add("m" + i);
            }
            for (int attempt = 0; attempt < 30 && consumed.size() < sent.size(); attempt++) {
                tm.begin();
                String text;
                try (Connection c = cf.createConnection()) {
                    c.start();
                    Session s = c.createSession();
                    MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
                    Message m = consumer.receive(5_000);
                    assertNotNull(m, "nothing to receive after " + consumed + " were consumed");
                    text = ((TextMessage) m).getText();
                }
                if (rolledBack.add(text)) {
                    tm.rollback();
                } else {
                    tm.commit();
                    consumed.add(text);
                }
            }
        }
        assertEquals(sent, rolledBack, "each message was received and rolled back once");
        assertEquals(sorted(new ArrayList<>(sent)), sorted(consumed));
        assertEquals(List.of(), drain());
    }

    /*
     * Scenario: the one pooled connection fails between two transactions (its remoting connection is failed, as a
     * broken socket would be); the application's exception listener hears of it.
     * Expected: pooled-jms has closed that connection by then, with its pooled XA session; the next transaction gets
     * a new connection and session and its message is delivered.
     */
    @Test
    void aSessionOfAFailedConnectionIsNotHandedOutAgain() throws Exception {
        try (LockstepConnectionFactory cf = factory(1)) {
            send(cf::createConnection, "before the failure", true);
            CountDownLatch heard = new CountDownLatch(1);
            try (Connection c = cf.createConnection()) {
                c.setExceptionListener(e -> heard.countDown());
            }
            assertTrue(!packets.connections.isEmpty(), "no connection seen");
            packets.clear();
            for (RemotingConnection connection : packets.connections) { // the pool's, and recovery's if it has one
                connection.fail(new ActiveMQNotConnectedException("failed by the test"));
            }
            assertTrue(heard.await(10, TimeUnit.SECONDS), "the failure was not reported");
            send(cf::createConnection, "after the failure", true);
            assertTrue(packets.sent("CreateSession") >= 1, "a new session: " + packets.sent);
        }
        assertEquals(List.of("after the failure", "before the failure"), sorted(drain()));
    }

    private List<String> drain() throws Exception {
        List<String> out = new ArrayList<>();
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(url);
             Connection c = f.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            Message m = consumer.receive(2_000);
            while (m != null) {
                out.add(((TextMessage) m).getText());
                m = consumer.receive(500);
            }
        }
        return out;
    }

    private static List<String> sorted(List<String> list) {
        List<String> copy = new ArrayList<>(list);
        Collections.sort(copy);
        return copy;
    }
}
