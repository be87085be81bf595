package dev.lockstep.jms;

import dev.lockstep.tm.spi.RecoverableResource;
import jakarta.jms.JMSException;
import jakarta.jms.XAConnection;
import jakarta.jms.XASession;
import java.util.Objects;
import javax.transaction.xa.XAResource;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;

/**
 * A named Artemis broker for phase-two retries and recovery: each {@link #connect()} opens its own XA connection and
 * session, apart from the pool. Artemis lets any connection finish a prepared branch, even while the preparing one
 * is still open (docs/xa-quirks.md), and its {@code recover()} lists only the broker's own branches.
 */
public final class ArtemisRecoverableResource implements RecoverableResource, AutoCloseable {

    private final String name;
    private final ActiveMQXAConnectionFactory factory;
    private final String user;
    private final String password;

    /** A recovery resource of its own; {@code brokerUrl} as for Artemis' connection factory. */
    public ArtemisRecoverableResource(String name, String brokerUrl, String user, String password) {
        this(name, new ActiveMQXAConnectionFactory(Objects.requireNonNull(brokerUrl, "brokerUrl")), user, password);
    }

    ArtemisRecoverableResource(String name, ActiveMQXAConnectionFactory factory, String user, String password) {
        this.name = dev.lockstep.tm.spi.NamedXAResource.requireValidName(name);
        this.factory = factory;
        this.user = user;
        this.password = password;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public RecoveryConnection connect() throws JMSException {
        XAConnection connection = user == null ? factory.createXAConnection()
                : factory.createXAConnection(user, password);
        try {
            XASession session = connection.createXASession();
            XAResource xa = session.getXAResource();
            return new RecoveryConnection() {
                @Override
                public XAResource xaResource() {
                    return xa;
                }

                @Override
                public void close() throws JMSException {
                    connection.close();
                }
            };
        } catch (JMSException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** Closes the connection factory; connections it opened must be closed first. */
    @Override
    public void close() {
        factory.close();
    }

    @Override
    public String toString() {
        return "Artemis resource '" + name + "'";
    }
}
