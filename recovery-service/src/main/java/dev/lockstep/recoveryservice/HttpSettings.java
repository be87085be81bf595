package dev.lockstep.recoveryservice;

import dev.lockstep.tm.settings.Setting;
import dev.lockstep.tm.settings.Settings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The keys of the daemon's HTTP side, each described once (the README's table of them is rendered from
 * {@link #ALL} by ReadmeSettingsTest), and how they are read into an {@link HttpConfig}. The HTTP side is off unless
 * {@code http.port} is set; it binds to the loopback unless {@code http.address} says otherwise; its mutating call
 * needs a bearer token read from a file or an environment variable, never written in the configuration itself.
 */
final class HttpSettings {

    static final String ADDRESS = "http.address";
    static final String PORT = "http.port";
    static final String TOKEN_FILE = "http.token.file";
    static final String TOKEN_ENV = "http.token.env";
    static final String IN_DOUBT_AGE = "http.health.in.doubt.age";
    static final String EVENTS_HISTORY = "http.events.history";
    static final String EVENTS_HEARTBEAT = "http.events.heartbeat";
    static final String EVENTS_CLIENTS = "http.events.clients";

    /** Shorter tokens are refused: a bearer token is the only thing between the loopback and a commit. */
    static final int MIN_TOKEN_CHARS = 16;

    static final Setting<Integer> PORT_SETTING = Settings.integer("httpPort", PORT, "TCP port", null,
            "none: no HTTP side", Settings.between(0, 65535, String::valueOf), "serve `/health`, `/metrics`, "
            + "`/api/in-doubt`, `/api/events` and `/api/resolve` on this port while `run` runs (0: any free port, printed in the `http_started` "
            + "line)");
    static final Setting<String> ADDRESS_SETTING = Settings.text("httpAddress", ADDRESS, "IP address or host name",
            "127.0.0.1", "127.0.0.1 (loopback)", Settings.any(), "the address the HTTP side binds to; anything but "
            + "a loopback address exposes it to the network, so set a token and a firewall first");
    static final Setting<String> TOKEN_FILE_SETTING = Settings.text("httpTokenFile", TOKEN_FILE, "path", null,
            "none", Settings.any(), "a file holding the bearer token that `POST /api/resolve` needs (at least "
            + MIN_TOKEN_CHARS + " characters; a trailing newline is dropped); without a token that call answers "
            + "403");
    static final Setting<String> TOKEN_ENV_SETTING = Settings.text("httpTokenEnv", TOKEN_ENV,
            "environment variable name", null, "none", Settings.any(), "…or the environment variable that holds "
            + "it (unset is an error); at most one of the two");
    static final Setting<Duration> IN_DOUBT_AGE_SETTING = Settings.duration("httpHealthInDoubtAge", IN_DOUBT_AGE,
            Duration.ofMinutes(5), Settings.positive(), "`/health` is DOWN while a transaction has been in doubt "
            + "longer than this since it began");

    static final Setting<Integer> EVENTS_HISTORY_SETTING = Settings.integer("httpEventsHistory", EVENTS_HISTORY,
            "events", 1000, "1000", Settings.between(1, 100_000, String::valueOf), "how many of the last recovery "
            + "events `/api/events` keeps, so that a client reconnecting with `Last-Event-ID` misses nothing; one "
            + "that asks for an older one gets an `event: gap` first");
    static final Setting<Duration> EVENTS_HEARTBEAT_SETTING = Settings.duration("httpEventsHeartbeat",
            EVENTS_HEARTBEAT, Duration.ofSeconds(15), Settings.positive(), "`/api/events` writes a `: heartbeat` "
            + "comment after this long without an event, so that proxies keep the connection");
    static final Setting<Integer> EVENTS_CLIENTS_SETTING = Settings.integer("httpEventsClients", EVENTS_CLIENTS,
            "connections", 16, "16", Settings.between(1, 256, String::valueOf), "at most this many `/api/events` "
            + "streams at once (a thread each); one more is answered 503");

    /** Every key of the HTTP side, in the README's order. */
    static final List<Setting<?>> ALL = List.of(PORT_SETTING, ADDRESS_SETTING, TOKEN_FILE_SETTING, TOKEN_ENV_SETTING,
            IN_DOUBT_AGE_SETTING, EVENTS_HISTORY_SETTING, EVENTS_HEARTBEAT_SETTING, EVENTS_CLIENTS_SETTING);

    static final List<String> KEYS = ALL.stream().map(Setting::propertyKey).toList();

    private HttpSettings() {
    }

    /**
     * What the daemon's HTTP side runs with.
     *
     * @param address where it binds
     * @param port the port, 0 for any free one
     * @param token the bearer token of mutating calls, or null: they are disabled
     * @param tokenSource where the token came from, for messages ({@code http.token.file = …}), or null
     * @param inDoubtAgeLimit past this age an in-doubt transaction makes {@code /health} DOWN
     * @param events how {@code /api/events} serves its streams
     */
    record HttpConfig(InetAddress address, int port, String token, String tokenSource, Duration inDoubtAgeLimit,
            EventStreamConfig events) {

        /** Never the token. */
        @Override
        public String toString() {
            return "HttpConfig[address=" + address.getHostAddress() + ", port=" + port + ", token="
                    + (token == null ? "none" : "from " + tokenSource) + ", inDoubtAgeLimit="
                    + Durations.format(inDoubtAgeLimit) + ", events=" + events + "]";
        }
    }

    /**
     * What {@code /api/events} runs with.
     *
     * @param history how many events are kept for clients that reconnect
     * @param heartbeat the longest a stream stays silent: a comment line is written after it
     * @param clients how many streams may be open at once
     */
    record EventStreamConfig(int history, Duration heartbeat, int clients) {

        /** The defaults of the three keys. */
        static final EventStreamConfig DEFAULT = new EventStreamConfig(EVENTS_HISTORY_SETTING.defaultValue(),
                EVENTS_HEARTBEAT_SETTING.defaultValue(), EVENTS_CLIENTS_SETTING.defaultValue());
    }

    /** Reads the HTTP keys of {@code values}; null if {@code http.port} is not set. Problems go to {@code problems}. */
    static HttpConfig read(Map<String, String> values, Path base, Map<String, String> env,
            List<ConfigException.Problem> problems) {
        Integer port = port(values.get(PORT), problems);
        InetAddress address = address(values.get(ADDRESS), problems);
        Duration age = duration(IN_DOUBT_AGE_SETTING, values.get(IN_DOUBT_AGE), problems);
        Integer history = count(EVENTS_HISTORY_SETTING, values.get(EVENTS_HISTORY), problems);
        Duration heartbeat = duration(EVENTS_HEARTBEAT_SETTING, values.get(EVENTS_HEARTBEAT), problems);
        Integer clients = count(EVENTS_CLIENTS_SETTING, values.get(EVENTS_CLIENTS), problems);
        String fileKey = values.get(TOKEN_FILE);
        String envKey = values.get(TOKEN_ENV);
        String token = null;
        String source = null;
        if (fileKey != null && envKey != null) {
            problems.add(new ConfigException.Problem(TOKEN_FILE, "both " + TOKEN_FILE + " and " + TOKEN_ENV
                    + " are set: keep exactly one source of the HTTP token"));
        } else if (fileKey != null) {
            source = TOKEN_FILE + " = " + fileKey.trim();
            token = tokenFromFile(fileKey.trim(), base, problems);
        } else if (envKey != null) {
            source = TOKEN_ENV + " = " + envKey.trim();
            token = tokenFromEnv(envKey.trim(), env, problems);
        }
        if (token != null && token.length() < MIN_TOKEN_CHARS) {
            problems.add(new ConfigException.Problem(fileKey != null ? TOKEN_FILE : TOKEN_ENV, "the HTTP token of "
                    + source + " has " + token.length() + " characters: use at least " + MIN_TOKEN_CHARS
                    + " random ones, e.g. the output of 'openssl rand -hex 32'"));
        }
        if (values.get(PORT) == null) {
            for (String key : KEYS.subList(1, KEYS.size())) {
                if (values.containsKey(key)) {
                    problems.add(new ConfigException.Problem(key, key + " is set but " + PORT + " is not, so the "
                            + "HTTP side is off: set " + PORT + " (e.g. 8049) or remove " + key));
                }
            }
            return null;
        }
        if (port == null || address == null || age == null || history == null || heartbeat == null
                || clients == null) {
            return null;
        }
        return new HttpConfig(address, port, token, source, age, new EventStreamConfig(history, heartbeat, clients));
    }

    private static Integer port(String text, List<ConfigException.Problem> problems) {
        if (text == null) {
            return null;
        }
        try {
            Integer port = PORT_SETTING.parse(text);
            String bad = PORT_SETTING.problem(port);
            if (bad == null) {
                return port;
            }
            problems.add(new ConfigException.Problem(PORT, PORT + " = '" + text.trim() + "' " + bad));
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigException.Problem(PORT, PORT + " = '" + text.trim() + "' is not a port: "
                    + e.getMessage() + " from 0 to 65535"));
        }
        return null;
    }

    private static InetAddress address(String text, List<ConfigException.Problem> problems) {
        String a = text == null ? ADDRESS_SETTING.defaultValue() : text.trim();
        if (a.isEmpty()) {
            problems.add(new ConfigException.Problem(ADDRESS, ADDRESS + " is empty: give an IP address (127.0.0.1 "
                    + "keeps the HTTP side on this machine) or remove the line"));
            return null;
        }
        try {
            return InetAddress.getByName(a);
        } catch (UnknownHostException e) {
            problems.add(new ConfigException.Problem(ADDRESS, ADDRESS + " = '" + a + "' is not an address of this "
                    + "machine's resolver: give an IP address such as 127.0.0.1"));
            return null;
        }
    }

    /** The duration {@code text} of {@code setting} ({@link Durations}, checked by the setting), or its default. */
    private static Duration duration(Setting<Duration> setting, String text, List<ConfigException.Problem> problems) {
        if (text == null) {
            return setting.defaultValue();
        }
        try {
            Duration d = Durations.parse(setting.propertyKey(), text.trim());
            String bad = setting.problem(d);
            if (bad == null) {
                return d;
            }
            problems.add(new ConfigException.Problem(setting.propertyKey(), setting.propertyKey() + " = '"
                    + text.trim() + "' " + bad));
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        return null;
    }

    /** The whole number {@code text} of {@code setting}, within its bounds, or its default. */
    private static Integer count(Setting<Integer> setting, String text, List<ConfigException.Problem> problems) {
        if (text == null) {
            return setting.defaultValue();
        }
        try {
            Integer n = setting.parse(text);
            String bad = setting.problem(n);
            if (bad == null) {
                return n;
            }
            problems.add(new ConfigException.Problem(setting.propertyKey(), setting.propertyKey() + " = '"
                    + text.trim() + "' " + bad));
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigException.Problem(setting.propertyKey(), setting.propertyKey() + " = '"
                    + text.trim() + "' is not a whole number: " + e.getMessage()));
        }
        return null;
    }

    private static String tokenFromFile(String f, Path base, List<ConfigException.Problem> problems) {
        if (f.isEmpty()) {
            problems.add(new ConfigException.Problem(TOKEN_FILE, TOKEN_FILE + " is empty: give the path of the file "
                    + "that holds the token"));
            return null;
        }
        Path file = base.resolve(f).normalize();
        try {
            return ServiceConfig.stripTrailingNewlines(Files.readString(file));
        } catch (IOException e) {
            problems.add(new ConfigException.Problem(TOKEN_FILE, TOKEN_FILE + " = '" + f + "': cannot read " + file
                    + " (" + e.getClass().getSimpleName() + "): make the file readable by the service's user, or "
                    + "use " + TOKEN_ENV));
            return null;
        }
    }

    private static String tokenFromEnv(String var, Map<String, String> env, List<ConfigException.Problem> problems) {
        if (var.isEmpty()) {
            problems.add(new ConfigException.Problem(TOKEN_ENV, TOKEN_ENV + " is empty: name the environment "
                    + "variable that holds the token"));
            return null;
        }
        String value = env.get(var);
        if (value == null) {
            problems.add(new ConfigException.Problem(TOKEN_ENV, TOKEN_ENV + " = " + var + ", but environment "
                    + "variable " + var + " is not set: set it in the service's environment, or use " + TOKEN_FILE));
        }
        return value;
    }
}
