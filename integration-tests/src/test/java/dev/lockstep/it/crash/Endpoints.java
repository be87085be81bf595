package dev.lockstep.it.crash;

import dev.lockstep.it.servers.MariaDbServer;
import dev.lockstep.it.servers.PostgresServer;
import dev.lockstep.it.servers.Servers;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where the three servers of one crash run are, as plain strings: what a child JVM gets on its command line and the
 * recovery service in its configuration. The harness' databases share one user and password ({@link #HARNESS_DB});
 * its broker has no security ({@link Login#NONE}); servers given by URL (the demo) may have logins of their own. The
 * resource names are the ones the TransferApp registers its pools under, so the COMMIT records and the recovery
 * service's configuration agree (docs/design.md invariant 3).
 *
 * @param brokerUrl null for a run with the two databases only
 */
public record Endpoints(String pgUrl, String mariaUrl, String brokerUrl, Login pgLogin, Login mariaLogin,
                        Login brokerLogin) {

    public static final String PG_RESOURCE = "orders-pg";
    public static final String MARIA_RESOURCE = "billing-maria";
    public static final String JMS_RESOURCE = "events";
    public static final String DB_USER = PostgresServer.USER;
    public static final String DB_PASSWORD = PostgresServer.PASSWORD;
    /** The login of both harness databases. */
    public static final Login HARNESS_DB = new Login(DB_USER, DB_PASSWORD);

    static {
        if (!MariaDbServer.USER.equals(DB_USER) || !MariaDbServer.PASSWORD.equals(DB_PASSWORD)) {
            throw new IllegalStateException("the crash suite assumes one user and password for both databases");
        }
    }

    /** A user and its password; {@link #NONE} (both null) for a server without security. */
    public record Login(String user, String password) {
        public static final Login NONE = new Login(null, null);

        @Override
        public String toString() {
            return user == null ? "(none)" : user + "/***"; // never print a password
        }
    }

    public Endpoints {
        Objects.requireNonNull(pgLogin, "pgLogin");
        Objects.requireNonNull(mariaLogin, "mariaLogin");
        Objects.requireNonNull(brokerLogin, "brokerLogin");
    }

    /** Servers with the harness' logins. */
    public Endpoints(String pgUrl, String mariaUrl, String brokerUrl) {
        this(pgUrl, mariaUrl, brokerUrl, HARNESS_DB, HARNESS_DB, Login.NONE);
    }

    /** The harness' servers (started on demand, restarted if killed); with the broker if {@code withBroker}. */
    public static Endpoints ofHarness(boolean withBroker) {
        return new Endpoints(Servers.postgres().jdbcUrl(), Servers.mariadb().jdbcUrl(),
                withBroker ? Servers.artemis().brokerUrl() : null);
    }

    public boolean withBroker() {
        return brokerUrl != null;
    }

    /** How many branches one transfer has: one per resource. */
    public int resourceCount() {
        return withBroker() ? 3 : 2;
    }

    /** The resource names of one transfer, in enlistment order. */
    public List<String> resourceNames() {
        List<String> names = new ArrayList<>(List.of(PG_RESOURCE, MARIA_RESOURCE));
        if (withBroker()) {
            names.add(JMS_RESOURCE);
        }
        return names;
    }

    /** The same servers without the broker (a two-resource run still cleans and checks the broker). */
    public Endpoints withoutBroker() {
        return new Endpoints(pgUrl, mariaUrl, null, pgLogin, mariaLogin, Login.NONE);
    }
}
