package dev.lockstep.it.servers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;

/**
 * Main class of the broker JVM started by {@link ArtemisBroker}: an embedded ActiveMQ Artemis
 * broker in its own process, so tests can {@code kill -9} it without killing themselves.
 *
 * <p>Arguments: {@code <data dir> <port>}. Persistence is on with the NIO journal (the native AIO
 * journal is not on Maven Central) and a 100 µs journal buffer timeout instead of the 3.33 ms
 * default, which would put a ~4 ms floor under every synced step (docs/xa-quirks.md, Artemis and latency
 * table). Security is off; queues and addresses are created on first use but never deleted
 * automatically, so a queue holding only a prepared message cannot vanish before the commit.
 *
 * <p>Prints {@value #READY} once the acceptor is up. Stops cleanly on SIGTERM and when its
 * standard input closes, i.e. when the test JVM that started it is gone.
 */
public final class ArtemisBrokerMain {

    /** The line the harness waits for. */
    public static final String READY = "ARTEMIS-BROKER-READY";

    private ArtemisBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ArtemisBrokerMain <data dir> <port>");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);

        ConfigurationImpl config = new ConfigurationImpl();
        config.setName("lockstep-it");
        config.setPersistenceEnabled(true);
        config.setJournalType(JournalType.NIO);
        config.setJournalBufferTimeout_NIO(100_000); // nanoseconds
        config.setJournalDirectory(dir.resolve("journal").toString());
        config.setBindingsDirectory(dir.resolve("bindings").toString());
        config.setPagingDirectory(dir.resolve("paging").toString());
        config.setLargeMessagesDirectory(dir.resolve("large-messages").toString());
        config.setJournalFileSize(2 * 1024 * 1024);
        config.setJournalMinFiles(2);
        config.setSecurityEnabled(false);
        config.setJMXManagementEnabled(false);
        config.setCriticalAnalyzer(false);
        config.setMaxDiskUsage(-1); // never block producers because the build disk is fuller than 90 %
        config.addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port);
        config.addAddressSetting("#", new AddressSettings()
                .setAutoCreateQueues(true).setAutoCreateAddresses(true)
                .setAutoDeleteQueues(false).setAutoDeleteCreatedQueues(false).setAutoDeleteAddresses(false));

        EmbeddedActiveMQ broker = new EmbeddedActiveMQ();
        broker.setConfiguration(config);
        broker.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(broker), "broker-stop"));

        System.out.println(READY + " port=" + port);
        System.out.flush();

        Thread parentWatch = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // The harness never writes; EOF means it went away.
                }
            } catch (IOException e) {
                // Treated like EOF.
            }
            System.out.println("standard input closed: the test JVM is gone, stopping");
            System.exit(0);
        }, "parent-watch");
        parentWatch.setDaemon(true);
        parentWatch.start();
        Thread.currentThread().join();
    }

    private static void stopQuietly(EmbeddedActiveMQ broker) {
        try {
            broker.stop();
            System.out.println("broker stopped");
        } catch (Exception e) {
            e.printStackTrace();
        }
    }
}
