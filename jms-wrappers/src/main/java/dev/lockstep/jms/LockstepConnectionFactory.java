package dev.lockstep.jms;

import dev.lockstep.tm.Lockstep;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;
import org.messaginghub.pooled.jms.JmsPoolXAConnectionFactory;

/**
 * A pooled JMS ConnectionFactory whose sessions join the current Lockstep transaction by themselves: a session
 * created inside a transaction is enlisted as a branch (so a send becomes visible only on commit and a receive is
 * redelivered on rollback); outside a transaction sessions work as usual. Pooling is pooled-jms' XA factory; this
 * class wires it to Lockstep, names its branches and registers the broker for recovery under that name.
 *
 * <p>What a transaction costs. pooled-jms (3.2.3) keeps each pooled connection's XA sessions in a pool of their own
 * and each session's one anonymous producer with it: a session is borrowed and enlisted (XA start) when created
 * inside a transaction, ended before prepare by Lockstep, and given back to its connection's pool only in the
 * transaction's {@code afterCompletion}, after phase two; closing it or its connection inside the transaction
 * changes nothing. So no session or producer is created per transaction once as many sessions exist as threads use
 * a connection at once, and a session is in one transaction at a time. What was left per transaction was Artemis'
 * destination lookups: {@code createQueue(name)} and the first send to each new {@code Queue} object cost three
 * blocking round trips, beside the four XA calls of a two-phase branch (start, end, prepare, commit). The sessions
 * this factory hands out therefore look a queue up through a cache of the factory ({@code QueueCache}): a queue that
 * the broker does not delete by itself (declared in {@code broker.xml}, or auto-created with auto-delete off) is
 * looked up once and then costs nothing, so a transaction's JMS branch costs only its XA calls plus the send, which
 * does not wait for the broker. Auto-deleted queues are looked up on every call as before, because a send to a
 * kept queue that the broker deleted meanwhile would be dropped. Everything else, the {@code JMSContext} API included,
 * is pooled-jms' as it is (docs/xa-quirks.md, "Artemis and pooled-jms: what a transaction costs").
 *
 * <pre>{@code
 * LockstepConnectionFactory cf = LockstepConnectionFactory.artemis(lockstep, "events", "tcp://127.0.0.1:61616",
 *         null, null, 8);
 * }</pre>
 */
public final class LockstepConnectionFactory implements ConnectionFactory, AutoCloseable {

    private final Lockstep lockstep;
    private final String name;
    private final JmsPoolXAConnectionFactory pool;
    private final ArtemisRecoverableResource recovery;
    private final QueueCache queues = new QueueCache();

    private LockstepConnectionFactory(Lockstep lockstep, String name, JmsPoolXAConnectionFactory pool,
                                      ArtemisRecoverableResource recovery) {
        this.lockstep = lockstep;
        this.name = name;
        this.pool = pool;
        this.recovery = recovery;
    }

    /**
     * A pooled, enlisting ConnectionFactory for the Artemis broker at {@code brokerUrl} (e.g.
     * {@code tcp://host:61616}), recorded in the decision log as resource {@code name}, which must be unique among
     * this Lockstep's resources. {@code user} may be null for a broker without security.
     */
    public static LockstepConnectionFactory artemis(Lockstep lockstep, String name, String brokerUrl, String user,
                                                    String password, int maxConnections) {
        return artemis(lockstep, name, brokerUrl, user, password, maxConnections, factory -> { });
    }

    /**
     * As {@link #artemis(Lockstep, String, String, String, String, int)}, then {@code customizer} on Artemis' client
     * factory, for the client settings a URL is a poor place for (e.g. {@code setCallTimeout},
     * {@code setReconnectAttempts}, {@code setConfirmationWindowSize}). It is called twice, before any connection is
     * opened: once for the factory of the pool and once for the factory of the recovery and phase-two retry
     * connections, so both talk to the broker the same way; each time the factory has the URL and login set. Whatever
     * the customizer does, sessions keep joining the current transaction and the broker stays registered for
     * recovery under {@code name}.
     */
    public static LockstepConnectionFactory artemis(Lockstep lockstep, String name, String brokerUrl, String user,
                                                    String password, int maxConnections,
                                                    Consumer<ActiveMQXAConnectionFactory> customizer) {
        Objects.requireNonNull(lockstep, "lockstep");
        Objects.requireNonNull(customizer, "customizer");
        if (maxConnections < 1) {
            throw new IllegalArgumentException(JmsMessage.POOL_SIZE_TOO_SMALL
                    + " maxConnections must be at least 1, got " + maxConnections);
        }
        ActiveMQXAConnectionFactory broker = clientFactory(brokerUrl, user, password, customizer);
        ArtemisRecoverableResource recovery = new ArtemisRecoverableResource(name,
                clientFactory(brokerUrl, user, password, customizer), user, password);
        lockstep.registerResource(recovery); // refuses a name already taken, before anything is started
        JmsPoolXAConnectionFactory pool = new JmsPoolXAConnectionFactory();
        pool.setConnectionFactory(broker);
        pool.setTransactionManager(new NamingTransactionManager(lockstep.transactionManager(), name));
        pool.setMaxConnections(maxConnections);
        return new LockstepConnectionFactory(lockstep, name, pool, recovery);
    }

    private static ActiveMQXAConnectionFactory clientFactory(String brokerUrl, String user, String password,
                                                             Consumer<ActiveMQXAConnectionFactory> customizer) {
        ActiveMQXAConnectionFactory factory = new ActiveMQXAConnectionFactory(
                Objects.requireNonNull(brokerUrl, "brokerUrl"));
        if (user != null) {
            factory.setUser(user);
            factory.setPassword(password);
        }
        customizer.accept(factory);
        return factory;
    }

    /** The resource name the branches of this factory are recorded under. */
    public String resourceName() {
        return name;
    }

    /**
     * The pool, for its own settings and statistics. Its own {@code createConnection()} hands out pooled-jms'
     * connections without this factory's queue cache.
     */
    public JmsPoolXAConnectionFactory pool() {
        return pool;
    }

    /**
     * A pooled connection: pooled-jms' own, whose sessions look queues up through this factory's cache (see the class
     * comment); null once the factory is closed, as pooled-jms answers.
     */
    @Override
    public Connection createConnection() throws JMSException {
        return LookupSavingProxies.connection(pool.createConnection(), queues);
    }

    @Override
    public Connection createConnection(String userName, String password) throws JMSException {
        return LookupSavingProxies.connection(pool.createConnection(userName, password), queues);
    }

    @Override
    public JMSContext createContext() {
        return pool.createContext();
    }

    @Override
    public JMSContext createContext(String userName, String password) {
        return pool.createContext(userName, password);
    }

    @Override
    public JMSContext createContext(String userName, String password, int sessionMode) {
        return pool.createContext(userName, password, sessionMode);
    }

    @Override
    public JMSContext createContext(int sessionMode) {
        return pool.createContext(sessionMode);
    }

    /** Stops the pool and unregisters the resource name. */
    @Override
    public void close() {
        pool.stop();
        lockstep.unregisterResource(recovery);
        recovery.close();
    }

    @Override
    public String toString() {
        return "LockstepConnectionFactory[" + name + "]";
    }
}
