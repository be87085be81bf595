package dev.lockstep.it.crash;

import dev.lockstep.it.servers.MariaDbServer;
import dev.lockstep.it.servers.PostgresServer;
import dev.lockstep.it.servers.Servers;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the three servers of one crash run are, as plain strings: what a child JVM gets on its command line and the
 * recovery service in its configuration. Both databases use the harness' user and password; the broker has no
 * security. The resource names are the ones the TransferApp registers its pools under, so the COMMIT records and the
 * recovery service's configuration agree (DESIGN.md invariant 3).
 *
 * @param brokerUrl null for a run with the two databases only
 */
public record Endpoints(String pgUrl, String mariaUrl, String brokerUrl) {

    public static final String PG_RESOURCE = "orders-pg";
    public static final String MARIA_RESOURCE = "billing-maria";
    public static final String JMS_RESOURCE = "events";
    public static final String DB_USER = PostgresServer.USER;
    public static final String DB_PASSWORD = PostgresServer.PASSWORD;

    static {
        if (!MariaDbServer.USER.equals(DB_USER) || !MariaDbServer.PASSWORD.equals(DB_PASSWORD)) {
            throw new IllegalStateException("the crash suite assumes one user and password for both databases");
        }
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
        return new Endpoints(pgUrl, mariaUrl, null);
    }
}
