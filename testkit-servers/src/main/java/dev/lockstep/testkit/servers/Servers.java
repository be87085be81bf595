package dev.lockstep.testkit.servers;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The servers shared by all test classes of one test JVM (surefire runs them all in one fork).
 *
 * <p>Each server starts lazily on first use and stops when the JVM exits (shutdown hook). A test
 * may kill a shared server; the next caller gets it restarted on the same data and port. Servers
 * left behind by a crashed earlier run are killed on the first start ({@link Leftovers}). Nothing
 * here depends on servers already running on the machine or on fixed ports.
 */
public final class Servers {

    private static final List<ManagedServer> STARTED = new ArrayList<>();
    private static PostgresServer postgres;
    private static MariaDbServer mariadb;
    private static ArtemisBroker artemis;
    private static boolean hookInstalled;

    private Servers() {
    }

    public static synchronized PostgresServer postgres() {
        postgres = running(postgres, PostgresServer::new);
        return postgres;
    }

    public static synchronized MariaDbServer mariadb() {
        mariadb = running(mariadb, MariaDbServer::new);
        return mariadb;
    }

    public static synchronized ArtemisBroker artemis() {
        artemis = running(artemis, ArtemisBroker::new);
        return artemis;
    }

    private static <S extends ManagedServer> S running(S current, Supplier<S> factory) {
        if (current != null) {
            if (!current.isRunning()) {
                current.restart();
            }
            return current;
        }
        installHook();
        S server = factory.get();
        try {
            server.start();
        } catch (RuntimeException e) {
            server.kill();
            throw e;
        }
        STARTED.add(server);
        return server;
    }

    private static void installHook() {
        if (!hookInstalled) {
            hookInstalled = true;
            Runtime.getRuntime().addShutdownHook(new Thread(Servers::stopAll, "lockstep-it-servers-stop"));
        }
    }

    /** Stops every shared server, in parallel (each stop takes a few hundred ms). */
    static void stopAll() {
        List<ManagedServer> servers;
        synchronized (Servers.class) {
            servers = new ArrayList<>(STARTED);
        }
        List<Thread> stoppers = new ArrayList<>();
        for (ManagedServer server : servers) {
            Thread stopper = new Thread(() -> {
                try {
                    server.stop();
                } catch (RuntimeException e) {
                    System.err.println("[servers] cannot stop " + server + ": " + e);
                }
            }, "stop-" + server);
            stopper.start();
            stoppers.add(stopper);
        }
        for (Thread stopper : stoppers) {
            try {
                stopper.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
