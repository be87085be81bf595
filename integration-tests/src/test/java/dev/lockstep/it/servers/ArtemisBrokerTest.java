package dev.lockstep.it.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.TestXids;
import dev.lockstep.testkit.servers.ArtemisBroker;
import dev.lockstep.testkit.servers.Servers;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.XAConnection;
import jakarta.jms.XASession;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Artemis broker JVM keeps a prepared send across kill -9 and delivers it exactly once after commit. */
class ArtemisBrokerTest {

    private ArtemisBroker broker;
    private String queue;
    private final List<Xid> xids = new ArrayList<>();

    @BeforeEach
    void pickQueue() {
        broker = Servers.artemis();
        queue = "it.smoke." + UUID.randomUUID();
    }

    @AfterEach
    void deleteQueue() throws Exception {
        if (!broker.isRunning()) {
            broker.restart();
        }
        try (ActiveMQXAConnectionFactory factory = new ActiveMQXAConnectionFactory(broker.brokerUrl());
                XAConnection connection = factory.createXAConnection()) {
            XAResource resource = connection.createXASession().getXAResource();
            for (Xid xid : xids) {
                if (TestXids.contains(resource.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN), xid)) {
                    resource.rollback(xid);
                }
            }
        }
        try (ServerLocator locator = ActiveMQClient.createServerLocator(broker.brokerUrl());
                ClientSessionFactory factory = locator.createSessionFactory();
                ClientSession session = factory.createSession()) {
            SimpleString name = SimpleString.of(queue);
            if (session.queueQuery(name).isExists()) {
                session.deleteQueue(name);
            }
        }
    }

    @Test
    void preparedSendSurvivesKillAndIsDeliveredOnceAfterCommit() throws Exception {
        Xid xid = TestXids.newXid("artemis-1");
        xids.add(xid);
        ActiveMQXAConnectionFactory factory = new ActiveMQXAConnectionFactory(broker.brokerUrl());
        XAConnection preparing = factory.createXAConnection();
        CountDownLatch connectionFailed = new CountDownLatch(1);
        preparing.setExceptionListener(e -> connectionFailed.countDown());
        XASession session = preparing.createXASession();
        XAResource resource = session.getXAResource();
        resource.start(xid, XAResource.TMNOFLAGS);
        MessageProducer producer = session.createProducer(session.createQueue(queue));
        producer.send(session.createTextMessage("prepared before the crash"));
        resource.end(xid, XAResource.TMSUCCESS);
        assertEquals(XAResource.XA_OK, resource.prepare(xid));

        int port = broker.port();
        broker.kill();
        assertFalse(broker.isRunning());
        // Closing right after the kill, before the client has noticed the dead connection, blocks for
        // the call timeout (30 s): wait for the failure notice first.
        assertTrue(connectionFailed.await(10, TimeUnit.SECONDS), "the client did not notice the broker's death");
        closeQuietly(preparing);
        factory.close();
        broker.restart();
        assertTrue(broker.isRunning());
        assertEquals(port, broker.port(), "restart() must keep the port");

        try (ActiveMQXAConnectionFactory recoveryFactory = new ActiveMQXAConnectionFactory(broker.brokerUrl());
                XAConnection recovering = recoveryFactory.createXAConnection()) {
            XAResource recovery = recovering.createXASession().getXAResource();
            Xid[] inDoubt = recovery.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
            assertTrue(TestXids.contains(inDoubt, xid), "the prepared branch " + xid + " was lost by the restart");
            recovery.commit(xid, false);
            assertFalse(TestXids.contains(recovery.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN), xid));
        }

        try (ActiveMQConnectionFactory plain = new ActiveMQConnectionFactory(broker.brokerUrl());
                Connection connection = plain.createConnection()) {
            connection.start();
            Session receiving = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            try (MessageConsumer consumer = receiving.createConsumer(receiving.createQueue(queue))) {
                var message = consumer.receive(5_000);
                assertNotNull(message, "the committed message was not delivered");
                assertEquals("prepared before the crash", assertInstanceOf(TextMessage.class, message).getText());
                assertNull(consumer.receive(300), "the committed message was delivered twice");
            }
        }
    }

    private static void closeQuietly(XAConnection connection) {
        try {
            connection.close();
        } catch (Exception e) {
            // Its broker was killed.
        }
    }
}
