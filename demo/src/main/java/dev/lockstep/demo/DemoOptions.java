package dev.lockstep.demo;

import dev.lockstep.demo.transfer.Endpoints.Login;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's command line, {@code --key=value} each. Without URLs the demo starts private servers; a URL replaces
 * the private server of its kind, and only then may that server's login be given.
 *
 * @param pgUrl    null: a private PostgreSQL
 * @param mariaUrl null: a private MariaDB
 * @param brokerUrl null: a private Artemis broker
 * @param consolePort 0: the recovery service runs once ({@code scan}) after the kill; else its daemon ({@code run})
 *                    serves the web console on this loopback port from the start and keeps running after the report
 */
record DemoOptions(String pgUrl, Login pgLogin, String mariaUrl, Login mariaLogin, String brokerUrl,
                   Login brokerLogin, int threads, long transfers, int consolePort, boolean help) {

    static final int DEFAULT_THREADS = 4;
    static final long DEFAULT_TRANSFERS = 500;
    static final int DEFAULT_CONSOLE_PORT = 8089;

    static final String USAGE = """
            usage: bash scripts/demo.sh [--key=value ...]
              --threads=N           transfer threads of the application (default %d)
              --transfers=N         transfers committed before one is held in phase two and the application is
                                    killed (default %d)
              --pg-url=URL          an existing PostgreSQL instead of a private one (jdbc:postgresql://HOST:PORT/DB,
                                    max_prepared_transactions >= threads + 2); --pg-user=, --pg-password=
              --maria-url=URL       an existing MariaDB or MySQL (jdbc:mysql://HOST:PORT/DB; MySQL 8 needs
                                    XA_RECOVER_ADMIN); --maria-user=, --maria-password=
              --broker-url=URL      an existing ActiveMQ Artemis (tcp://HOST:PORT); --broker-user=, --broker-password=
              --console[=PORT]      watch the recovery in a browser: the recovery service runs as a daemon with its
                                    web console on http://127.0.0.1:PORT/ (default %d) from the start, recovers the
                                    kill by itself, and keeps running with the servers after the report until Ctrl-C
              --help                this text
            On given servers the demo creates the tables transfer_accounts and transfers (rows tagged with its run id)
            and uses the queue "transfers", whose messages it consumes when it checks them."""
            .formatted(DEFAULT_THREADS, DEFAULT_TRANSFERS, DEFAULT_CONSOLE_PORT);

    private static final List<String> KEYS = List.of("threads", "transfers", "pg-url", "pg-user", "pg-password",
            "maria-url", "maria-user", "maria-password", "broker-url", "broker-user", "broker-password", "console");

    /** Parses the arguments; a bad one throws with a message that says which and what is expected. */
    static DemoOptions parse(String... args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                return new DemoOptions(null, Login.NONE, null, Login.NONE, null, Login.NONE, DEFAULT_THREADS,
                        DEFAULT_TRANSFERS, 0, true);
            }
            if (a.equals("--console")) {
                m.put("console", Integer.toString(DEFAULT_CONSOLE_PORT));
                continue;
            }
            int eq = a.indexOf('=');
            String key = a.startsWith("--") && eq > 2 ? a.substring(2, eq) : null;
            if (key == null || !KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown argument '" + a + "' (--help lists the options)");
            }
            m.put(key, a.substring(eq + 1));
        }
        int threads = (int) number(m, "threads", DEFAULT_THREADS, 1, 32);
        long transfers = number(m, "transfers", DEFAULT_TRANSFERS, 1, 1_000_000);
        int consolePort = (int) number(m, "console", 0, 1, 65_535);
        return new DemoOptions(m.get("pg-url"), login(m, "pg"), m.get("maria-url"), login(m, "maria"),
                m.get("broker-url"), login(m, "broker"), threads, transfers, consolePort, false);
    }

    private static long number(Map<String, String> m, String key, long dflt, long min, long max) {
        String v = m.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--" + key + "=" + v + ": expected a whole number from " + min + " to "
                + max);
    }

    /** The login given for {@code server}, or NONE; a login for a private server is refused. */
    private static Login login(Map<String, String> m, String server) {
        String user = m.get(server + "-user");
        String password = m.get(server + "-password");
        if (user == null && password == null) {
            return Login.NONE;
        }
        if (m.get(server + "-url") == null) {
            throw new IllegalArgumentException("--" + server + "-user/--" + server + "-password need --" + server
                    + "-url: the private server has a login of its own");
        }
        return new Login(user, password);
    }
}
