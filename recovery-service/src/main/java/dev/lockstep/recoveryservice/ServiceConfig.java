package dev.lockstep.recoveryservice;

import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.settings.Setting;
import dev.lockstep.tm.settings.Settings;
import dev.lockstep.tm.spi.NamedXAResource;
import dev.lockstep.tm.spi.RecoverableResource;
import dev.lockstep.tm.spi.ResourceVendor;
import dev.lockstep.tm.store.PostgresDecisionStore;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The recovery service's configuration: a Java properties file (UTF-8), read once and validated as a whole, so an
 * operator sees every mistake at once, each naming its key and its fix. Immutable.
 *
 * <pre>
 * key                            required  format                               default
 * log.directory                  yes       path                                 -
 * nodes                          yes       comma-separated node ids             -
 * scan.interval                  no        duration                             10s
 * orphan.safety.interval         no        duration                             30s
 * retry.initial.delay            no        duration                             1s
 * retry.max.delay                no        duration (not below the initial)     60s
 * resource.NAME.kind             yes*      a vendor's kind: postgresql, mysql,  -
 *                                          artemis (ResourceVendor.kind())
 * resource.NAME.url              yes*      JDBC URL or Artemis broker URL       -
 * resource.NAME.user             no        text                                 none
 * resource.NAME.password         no**      text                                 none
 * resource.NAME.password.env     no**      name of an environment variable      none
 * resource.NAME.password.file    no**      path; one trailing newline dropped   none
 * http.*                         no        see {@link HttpSettings}                  HTTP side off
 * decision.store.url             no        jdbc:postgresql: URL of the decision      the file log
 *                                          store (docs/cluster.md)
 * decision.store.user            no        text                                 none
 * decision.store.password[.env|.file] no   as a resource's password             none
 * decision.store.schema          no        schema of the store's tables         lockstep
 * decision.store.lease           no        duration, 2 s to 10 min              15s
 * </pre>
 * With {@code decision.store.url}, {@code log.directory} is not needed and {@code nodes = *} means every node of the
 * store, listed again at each scan (nodes without stable ids, such as a Deployment's pods).
 * (*) for every resource NAME mentioned; (**) at most one of the three. Durations as {@link Durations} (Lockstep's
 * one duration syntax), NAME as {@link NamedXAResource#requireValidName} (Lockstep's one name rule), the kinds and
 * their URLs as the {@link ResourceVendor}s on the class path say. Relative
 * paths are resolved against the directory of the configuration file, not the working directory, so a daemon reads
 * the same files wherever it was started. A key set twice is an error, not "the last one wins".
 */
public final class ServiceConfig {

    public static final String LOG_DIRECTORY = "log.directory";
    public static final String NODES = "nodes";
    public static final String SCAN_INTERVAL = "scan.interval";
    public static final String ORPHAN_SAFETY_INTERVAL = "orphan.safety.interval";
    public static final String RETRY_INITIAL_DELAY = "retry.initial.delay";
    public static final String RETRY_MAX_DELAY = "retry.max.delay";
    public static final String DECISION_STORE_PREFIX = "decision.store.";
    /** The value of {@code nodes} for every node of the decision store. */
    public static final String ALL_NODES = "*";

    /** The service's own durations, described as Lockstep's settings are; orphan.safety.interval is shared. */
    public static final Setting<Duration> SCAN_INTERVAL_SETTING = Settings.duration("scanInterval", SCAN_INTERVAL,
            Duration.ofSeconds(10), Settings.positive(), "time between the end of one scan of `run` and the start "
            + "of the next");
    public static final Setting<Duration> RETRY_INITIAL_DELAY_SETTING = Settings.duration("retryInitialDelay",
            RETRY_INITIAL_DELAY, Duration.ofSeconds(1), Settings.positive(), "first delay before asking an "
            + "unreachable resource again (jittered to 50–100 %)");
    public static final Setting<Duration> RETRY_MAX_DELAY_SETTING = Settings.duration("retryMaxDelay",
            RETRY_MAX_DELAY, Duration.ofSeconds(60), Settings.positive(), "cap of that exponential backoff; at "
            + "least `retry.initial.delay`");

    public static final Duration DEFAULT_SCAN_INTERVAL = SCAN_INTERVAL_SETTING.defaultValue();
    public static final Duration DEFAULT_ORPHAN_SAFETY_INTERVAL = Settings.ORPHAN_SAFETY_INTERVAL.defaultValue();
    public static final Duration DEFAULT_RETRY_INITIAL_DELAY = RETRY_INITIAL_DELAY_SETTING.defaultValue();
    public static final Duration DEFAULT_RETRY_MAX_DELAY = RETRY_MAX_DELAY_SETTING.defaultValue();

    private static final String RESOURCE_PREFIX = "resource.";
    /** Longest first: "password.env" must not be read as attribute "env" of a resource named "NAME.password". */
    private static final List<String> RESOURCE_ATTRIBUTES =
            List.of("password.file", "password.env", "password", "kind", "url", "user");
    private static final List<String> TOP_LEVEL_KEYS = Stream.concat(Stream.of(LOG_DIRECTORY, NODES,
            SCAN_INTERVAL, ORPHAN_SAFETY_INTERVAL, RETRY_INITIAL_DELAY, RETRY_MAX_DELAY), HttpSettings.KEYS.stream())
            .toList();
    private static final List<String> STORE_ATTRIBUTES =
            List.of("password.file", "password.env", "password", "url", "user", "schema", "lease");
    private static final String KEYS_HELP = "the keys are " + String.join(", ", TOP_LEVEL_KEYS)
            + ", resource.NAME.{kind,url,user,password,password.env,password.file} and decision.store.{url,user,"
            + "password,password.env,password.file,schema,lease}";

    private final Path logDirectory;
    private final List<String> nodes;
    private final Duration scanInterval;
    private final Duration orphanSafetyInterval;
    private final Duration retryInitialDelay;
    private final Duration retryMaxDelay;
    private final List<ResourceConfig> resources;
    private final HttpSettings.HttpConfig http;
    private final StoreConfig decisionStore;
    private final boolean allNodes;

    /**
     * The database decision store the transaction managers write to (docs/cluster.md).
     *
     * @param password never printed
     */
    public record StoreConfig(String url, String user, String password, String schema, Duration lease) {
        @Override
        public String toString() {
            return "StoreConfig[url=" + url + ", user=" + user + ", schema=" + schema + ", lease=" + lease + "]";
        }
    }

    private ServiceConfig(Path logDirectory, List<String> nodes, Duration scanInterval,
            Duration orphanSafetyInterval, Duration retryInitialDelay, Duration retryMaxDelay,
            List<ResourceConfig> resources, HttpSettings.HttpConfig http, StoreConfig decisionStore,
            boolean allNodes) {
        this.http = http;
        this.decisionStore = decisionStore;
        this.allNodes = allNodes;
        this.logDirectory = logDirectory;
        this.nodes = List.copyOf(nodes);
        this.scanInterval = scanInterval;
        this.orphanSafetyInterval = orphanSafetyInterval;
        this.retryInitialDelay = retryInitialDelay;
        this.retryMaxDelay = retryMaxDelay;
        this.resources = List.copyOf(resources);
    }

    /**
     * Reads and validates {@code file}.
     *
     * @param env the environment that {@code resource.NAME.password.env} reads (the process environment in
     *     production, a map in tests)
     */
    public static ServiceConfig load(Path file, Map<String, String> env) throws ConfigException {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("--config", "configuration file " + file + " does not exist or is not a file: "
                    + "pass the path of your properties file (lockstep-recovery.properties.example shows every key)");
        }
        try (Reader in = Files.newBufferedReader(file)) {
            Path base = file.toAbsolutePath().getParent();
            return parse(in, base, env);
        } catch (CharacterCodingException e) {
            throw new ConfigException("--config", "configuration file " + file + " is not valid UTF-8: save it as "
                    + "UTF-8", e);
        } catch (IOException e) {
            throw new ConfigException("--config", "configuration file " + file + " cannot be read: " + e, e);
        }
    }

    /** Parses properties text; relative paths are resolved against {@code baseDirectory}. */
    public static ServiceConfig parse(Reader in, Path baseDirectory, Map<String, String> env)
            throws ConfigException, IOException {
        StrictProperties props = new StrictProperties();
        props.load(in);
        return new Parser(props.sortedValues(), props.duplicates, baseDirectory, env).parse();
    }

    /** The transaction managers' {@code logDirectory}; an existing directory. */
    public Path logDirectory() {
        return logDirectory;
    }

    /** The database decision store, or null: the file log under {@link #logDirectory()}. */
    public StoreConfig decisionStore() {
        return decisionStore;
    }

    /** True for {@code nodes = *}: every node of the decision store ({@link #nodes()} is then empty). */
    public boolean allNodes() {
        return allNodes;
    }

    /** The nodes whose transactions this service recovers, valid node ids, without duplicates, in file order. */
    public List<String> nodes() {
        return nodes;
    }

    public Duration scanInterval() {
        return scanInterval;
    }

    public Duration orphanSafetyInterval() {
        return orphanSafetyInterval;
    }

    public Duration retryInitialDelay() {
        return retryInitialDelay;
    }

    public Duration retryMaxDelay() {
        return retryMaxDelay;
    }

    /** The configured resources, in name order. */
    public List<ResourceConfig> resources() {
        return resources;
    }

    /** The daemon's HTTP side, or empty when {@code http.port} is not set (it is off). */
    Optional<HttpSettings.HttpConfig> http() {
        return Optional.ofNullable(http);
    }

    /** The recovery resources of {@link #resources()}; open no connection. */
    public List<RecoverableResource> createResources() throws ConfigException {
        List<RecoverableResource> list = new ArrayList<>();
        for (ResourceConfig r : resources) {
            list.add(r.create());
        }
        return list;
    }

    @Override
    public String toString() {
        return "ServiceConfig[logDirectory=" + logDirectory + ", nodes=" + nodes + ", scanInterval="
                + Durations.format(scanInterval) + ", orphanSafetyInterval=" + Durations.format(orphanSafetyInterval)
                + ", retryInitialDelay=" + Durations.format(retryInitialDelay) + ", retryMaxDelay="
                + Durations.format(retryMaxDelay) + ", resources=" + resources + ", http=" + http + "]";
    }

    /** One pass over the keys that collects every problem before giving up. */
    private static final class Parser {
        private final Map<String, String> values;
        private final Set<String> duplicates;
        private final Path base;
        private final Map<String, String> env;
        private final List<ConfigException.Problem> problems = new ArrayList<>();

        private StoreConfig store;
        private boolean allNodes;

        Parser(Map<String, String> values, Set<String> duplicates, Path base, Map<String, String> env) {
            this.values = values;
            this.duplicates = duplicates;
            this.base = base;
            this.env = env;
        }

        ServiceConfig parse() throws ConfigException {
            for (String key : duplicates) {
                problem(key, key + " is set more than once: keep one line (a later line does not override an "
                        + "earlier one here, it is a mistake)");
            }
            Map<String, Map<String, String>> resourceKeys = new TreeMap<>();
            Map<String, String> storeKeys = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : values.entrySet()) {
                String key = e.getKey();
                if (TOP_LEVEL_KEYS.contains(key)) {
                    continue;
                }
                if (key.startsWith(RESOURCE_PREFIX)) {
                    classifyResourceKey(key, e.getValue(), resourceKeys);
                } else if (key.startsWith(DECISION_STORE_PREFIX)
                        && STORE_ATTRIBUTES.contains(key.substring(DECISION_STORE_PREFIX.length()))) {
                    storeKeys.put(key.substring(DECISION_STORE_PREFIX.length()), e.getValue());
                } else {
                    problem(key, "unknown key '" + key + "'" + suggestion(key) + ": " + KEYS_HELP);
                }
            }
            store = storeKeys.isEmpty() ? null : decisionStore(storeKeys);
            Path logDirectory = storeKeys.isEmpty() || values.containsKey(LOG_DIRECTORY) ? logDirectory() : null;
            List<String> nodes = nodes();
            Duration scan = duration(SCAN_INTERVAL, SCAN_INTERVAL_SETTING);
            Duration orphan = duration(ORPHAN_SAFETY_INTERVAL, Settings.ORPHAN_SAFETY_INTERVAL);
            Duration initial = duration(RETRY_INITIAL_DELAY, RETRY_INITIAL_DELAY_SETTING);
            Duration max = duration(RETRY_MAX_DELAY, RETRY_MAX_DELAY_SETTING);
            String backoff = Settings.backoffProblem(initial, max, RETRY_INITIAL_DELAY);
            if (backoff != null) {
                problem(RETRY_MAX_DELAY, RETRY_MAX_DELAY + " " + backoff);
            }
            List<ResourceConfig> resources = new ArrayList<>();
            resourceKeys.forEach((name, attrs) -> {
                ResourceConfig r = resource(name, attrs);
                if (r != null) {
                    resources.add(r);
                }
            });
            HttpSettings.HttpConfig http = HttpSettings.read(values, base, env, problems);
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            return new ServiceConfig(logDirectory, nodes, scan, orphan, initial, max, resources, http, store,
                    allNodes);
        }

        private void classifyResourceKey(String key, String value, Map<String, Map<String, String>> resourceKeys) {
            String rest = key.substring(RESOURCE_PREFIX.length());
            for (String attr : RESOURCE_ATTRIBUTES) {
                if (rest.endsWith("." + attr)) {
                    String name = rest.substring(0, rest.length() - attr.length() - 1);
                    String bad = NamedXAResource.nameProblem(name);
                    if (bad != null || name.startsWith(NamedXAResource.UNNAMED_PREFIX)) {
                        problem(key, (bad != null ? bad : "resource name '" + name + "' is the transaction "
                                + "manager's name for an unnamed XAResource, which cannot be configured")
                                + " (in key '" + key + "'): the name must be the one the transaction managers "
                                + "record for the resource");
                        return;
                    }
                    resourceKeys.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(attr, value);
                    return;
                }
            }
            problem(key, "unknown key '" + key + "': a resource is configured with resource.NAME.kind, .url, .user, "
                    + ".password, .password.env or .password.file");
        }

        private Path logDirectory() {
            String v = required(LOG_DIRECTORY, "set it to the transaction managers' logDirectory (the directory that "
                    + "holds one subdirectory per node)");
            if (v == null) {
                return null;
            }
            Path dir = base.resolve(v).normalize();
            if (!Files.isDirectory(dir)) {
                problem(LOG_DIRECTORY, LOG_DIRECTORY + " = '" + v + "': " + dir + " is not a directory: set it to the "
                        + "transaction managers' logDirectory");
                return null;
            }
            return dir;
        }

        private StoreConfig decisionStore(Map<String, String> attrs) {
            int before = problems.size();
            String url = attrs.get("url");
            if (url == null || !url.trim().startsWith("jdbc:postgresql:")) {
                problem(DECISION_STORE_PREFIX + "url", DECISION_STORE_PREFIX + "url " + (url == null ? "is missing"
                        : "= '" + url.trim() + "' is not a jdbc:postgresql: URL") + ": the decision store is the "
                        + "PostgreSQL database the transaction managers' decisionStore writes to");
            }
            String user = attrs.get("user") == null ? null : attrs.get("user").trim();
            String password = password(DECISION_STORE_PREFIX, attrs);
            String schema = attrs.getOrDefault("schema", "lockstep").trim();
            Duration lease = PostgresDecisionStore.DEFAULT_LEASE;
            if (attrs.containsKey("lease")) {
                try {
                    lease = Durations.parse(DECISION_STORE_PREFIX + "lease", attrs.get("lease").trim());
                } catch (ConfigException e) {
                    problems.addAll(e.problems());
                }
            }
            String bad = PostgresDecisionStore.problem(schema, lease);
            if (bad != null) {
                problem(DECISION_STORE_PREFIX + (bad.startsWith("schema") ? "schema" : "lease"), bad);
            }
            return problems.size() == before ? new StoreConfig(url.trim(), user, password, schema, lease) : null;
        }

        private List<String> nodes() {
            String v = required(NODES, "list the node ids whose transactions this service recovers (the transaction "
                    + "managers' nodeId settings), separated by commas, e.g. nodes = orders-1, orders-2");
            if (v == null) {
                return List.of();
            }
            if (v.trim().equals(ALL_NODES)) {
                if (values.keySet().stream().noneMatch(k -> k.startsWith(DECISION_STORE_PREFIX))) {
                    problem(NODES, NODES + " = * (every node) needs the database decision store: set "
                            + DECISION_STORE_PREFIX + "url, or list the nodes of the log directory");
                }
                allNodes = true;
                return List.of();
            }
            Set<String> ids = new LinkedHashSet<>();
            for (String raw : v.split(",", -1)) {
                String id = raw.trim();
                if (id.isEmpty()) {
                    problem(NODES, NODES + " = '" + v + "' has an empty entry: separate node ids by single commas");
                    continue;
                }
                try {
                    LogLayout.checkNodeId(id);
                } catch (IllegalArgumentException e) {
                    problem(NODES, NODES + ": " + e.getMessage());
                    continue;
                }
                if (!ids.add(id)) {
                    problem(NODES, NODES + " lists node '" + id + "' twice: list each node once");
                }
            }
            return List.copyOf(ids);
        }

        private Duration duration(String key, Setting<Duration> setting) {
            String v = values.get(key);
            if (v == null) {
                return setting.defaultValue();
            }
            try {
                Duration d = Durations.parse(key, v.trim());
                String bad = setting.problem(d);
                if (bad != null) {
                    problem(key, key + " = '" + v.trim() + "' " + bad);
                    return null;
                }
                return d;
            } catch (ConfigException e) {
                problems.addAll(e.problems());
                return null;
            }
        }

        private ResourceConfig resource(String name, Map<String, String> attrs) {
            String prefix = RESOURCE_PREFIX + name + ".";
            int before = problems.size();
            String kindWord = attrs.get("kind");
            ResourceVendor vendor = null;
            if (kindWord == null || kindWord.isBlank()) {
                problem(prefix + "kind", "resource '" + name + "' has no kind: add " + prefix + "kind = one of "
                        + ResourceVendor.kinds(null));
            } else {
                vendor = vendor(prefix + "kind", kindWord.trim());
            }
            String url = attrs.get("url");
            if (url == null || url.isBlank()) {
                problem(prefix + "url", "resource '" + name + "' has no URL: add " + prefix + "url = "
                        + (vendor == null ? "its JDBC or broker URL" : vendor.urlForm()));
                url = null;
            } else {
                url = url.trim();
                if (vendor != null && !vendor.accepts(url)) {
                    problem(prefix + "url", prefix + "url = '" + url + "' does not fit kind " + vendor.kind()
                            + ": write " + vendor.urlForm());
                } else if (vendor != null && vendor.urlProblem(url) != null) {
                    problem(prefix + "url", prefix + "url = '" + url + "' " + vendor.urlProblem(url));
                }
            }
            String user = attrs.get("user");
            if (user != null) {
                user = user.trim();
                if (user.isEmpty()) {
                    problem(prefix + "user", prefix + "user is empty: set the user or remove the line");
                }
            }
            String password = password(prefix, attrs);
            return problems.size() == before ? new ResourceConfig(name, vendor, url, user, password) : null;
        }

        /** The vendor whose configuration word is {@code word}, or null after a problem naming the known ones. */
        private ResourceVendor vendor(String key, String word) {
            ResourceVendor v = ResourceVendor.forKind(word).orElse(null);
            if (v != null && v.kind().equals(word)) {
                return v;
            }
            String hint = ResourceVendor.all().stream().map(x -> x.hintFor(word)).filter(h -> h != null)
                    .findFirst().map(h -> " (" + h + ")").orElse("");
            problem(key, key + " = '" + word + "' is not a kind of resource" + hint + ": write one of "
                    + ResourceVendor.kinds(null));
            return null;
        }

        private String password(String prefix, Map<String, String> attrs) {
            List<String> sources = RESOURCE_ATTRIBUTES.stream()
                    .filter(a -> a.startsWith("password") && attrs.containsKey(a)).toList();
            if (sources.size() > 1) {
                problem(prefix + sources.get(0), (prefix.startsWith(RESOURCE_PREFIX) ? "resource '"
                        + prefix.substring(RESOURCE_PREFIX.length(), prefix.length() - 1) + "'" : "the decision store")
                        + " has " + sources.size() + " password sources ("
                        + String.join(", ", sources.stream().map(s -> prefix + s).toList()) + "): keep exactly one");
                return null;
            }
            if (sources.isEmpty()) {
                return null;
            }
            String attr = sources.get(0);
            String key = prefix + attr;
            String v = attrs.get(attr);
            switch (attr) {
                case "password":
                    return v; // literal, untrimmed: a password may end with a space
                case "password.env": {
                    String var = v.trim();
                    if (var.isEmpty()) {
                        problem(key, key + " is empty: name the environment variable that holds the password");
                        return null;
                    }
                    String value = env.get(var);
                    if (value == null) {
                        problem(key, key + " = " + var + ", but environment variable " + var + " is not set: set it "
                                + "in the service's environment, or use " + prefix + "password.file");
                    }
                    return value;
                }
                default: {
                    String f = v.trim();
                    if (f.isEmpty()) {
                        problem(key, key + " is empty: give the path of the file that holds the password");
                        return null;
                    }
                    Path file = base.resolve(f).normalize();
                    try {
                        return stripTrailingNewlines(Files.readString(file));
                    } catch (IOException e) {
                        problem(key, key + " = '" + f + "': cannot read " + file + " (" + describe(e) + "): make "
                                + "the file readable by the service's user, or use " + prefix + "password.env");
                        return null;
                    }
                }
            }
        }

        private String required(String key, String fix) {
            String v = values.get(key);
            if (v == null) {
                problem(key, key + " is missing: " + fix);
                return null;
            }
            if (v.isBlank()) {
                problem(key, key + " is empty: " + fix);
                return null;
            }
            return v.trim();
        }

        private void problem(String key, String message) {
            problems.add(new ConfigException.Problem(key, message));
        }
    }

    static String stripTrailingNewlines(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }

    private static String describe(IOException e) {
        String simple = e.getClass().getSimpleName();
        return e.getMessage() == null ? simple : simple + ": " + e.getMessage();
    }

    /** " (did you mean 'x'?)" for a key one or two edits away from a top-level key, else "". */
    private static String suggestion(String key) {
        for (String known : TOP_LEVEL_KEYS) {
            if (editDistance(key, known) <= 2) {
                return " (did you mean '" + known + "'?)";
            }
        }
        return "";
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /**
     * Properties that notice a key set twice ({@link Properties#load} calls {@code put} for every line) and keep
     * the keys in a sorted map, so problems come out in a stable order.
     */
    private static final class StrictProperties extends Properties {
        private final Set<String> duplicates = new LinkedHashSet<>();

        @Override
        public synchronized Object put(Object key, Object value) {
            Object old = super.put(key, value);
            if (old != null) {
                duplicates.add((String) key);
            }
            return old;
        }

        Map<String, String> sortedValues() {
            Map<String, String> m = new TreeMap<>();
            stringPropertyNames().forEach(k -> m.put(k, getProperty(k)));
            return m;
        }
    }
}
