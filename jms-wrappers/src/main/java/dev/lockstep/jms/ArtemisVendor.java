package dev.lockstep.jms;

import dev.lockstep.tm.spi.NamedXAResource;
import dev.lockstep.tm.spi.RecoverableResource;
import dev.lockstep.tm.spi.ResourceVendor;

/**
 * ActiveMQ Artemis, as configuration sees it: a broker URL ({@code tcp://host:61616}, or any URL Artemis' connection
 * factory reads, {@code (tcp://a:61616,tcp://b:61616)?ha=true} included), the client that lockstep-jms brings, and
 * its recovery resource ({@link ArtemisRecoverableResource}). Found by {@link ResourceVendor#forUrl} through
 * {@link JmsVendors}.
 */
public final class ArtemisVendor implements ResourceVendor {

    public static final ArtemisVendor INSTANCE = new ArtemisVendor();

    private ArtemisVendor() {
    }

    @Override
    public String kind() {
        return "artemis";
    }

    @Override
    public String displayName() {
        return "ActiveMQ Artemis";
    }

    @Override
    public Category category() {
        return Category.BROKER;
    }

    @Override
    public int order() {
        return 30;
    }

    /** Artemis reads many transports (tcp, ssl, vm, udp, jgroups) and lists of them: any scheme but JDBC's. */
    @Override
    public boolean accepts(String url) {
        return url.indexOf("://") > 0 && !url.startsWith("jdbc:");
    }

    @Override
    public String urlForm() {
        return "tcp://host:61616";
    }

    @Override
    public RecoverableResource recoverableResource(String name, String url, String user, String password) {
        NamedXAResource.requireValidName(name);
        try {
            return new ArtemisRecoverableResource(name, url, user, password);
        } catch (RuntimeException e) {
            // Artemis parses the URL when the factory is made; no connection is opened yet.
            throw new IllegalArgumentException(JmsMessage.BROKER_URL_REFUSED + " '" + url
                    + "' is not a broker URL Artemis accepts (" + e.getMessage() + "): write " + urlForm(), e);
        }
    }

    @Override
    public String toString() {
        return displayName();
    }
}
