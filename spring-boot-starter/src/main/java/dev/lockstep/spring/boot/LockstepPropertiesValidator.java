package dev.lockstep.spring.boot;

import dev.lockstep.tm.settings.DurationSyntax;
import dev.lockstep.tm.settings.Setting;
import dev.lockstep.tm.settings.Settings;
import dev.lockstep.tm.spi.LockstepXids;
import dev.lockstep.tm.store.PostgresDecisionStore;
import dev.lockstep.tm.spi.NamedXAResource;
import dev.lockstep.tm.spi.ResourceVendor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;

/**
 * Checks {@link LockstepProperties} as a whole and reports every problem at once, each with the property's full name,
 * what is wrong and what to do. The bounds are not restated here: each setting's check is its descriptor in
 * {@link Settings} (the same as {@code Lockstep.builder()}'s and the JNDI factory's), each resource name is checked
 * by {@link NamedXAResource#requireValidName}'s rule, and each URL by the {@link ResourceVendor} it belongs to.
 *
 * <p>Spring's binder turns the text of a duration into a {@code Duration} before this class sees it, and it reads
 * more than Lockstep's one {@link DurationSyntax} (a bare number is milliseconds to it). So, given the
 * {@link Environment}, the text of every duration property is read again in that syntax: {@code 100} is refused
 * with the advice to write {@code 100ms}, as the recovery service and the JNDI factory refuse it.
 */
final class LockstepPropertiesValidator {

    private static final String P = LockstepProperties.PREFIX + ".";

    /** Spring-only settings, described as Lockstep's own are. */
    static final Setting<Duration> ACQUISITION_TIMEOUT = Settings.duration("acquisitionTimeout",
            "datasources.<name>.acquisition-timeout", Duration.ofSeconds(30), Settings.positive(),
            "how long `getConnection()` waits for a free connection");
    static final Setting<Duration> RECOVERY_INTERVAL = Settings.duration("recoveryInterval", "recovery.interval",
            Duration.ofSeconds(30), Settings.positive(), "between the end of one scan and the start of the next");
    static final Setting<Duration> RECOVERY_INITIAL_DELAY = Settings.duration("recoveryInitialDelay",
            "recovery.initial-delay", Duration.ZERO, Settings.notNegative(), "before the first scan after start");
    static final Setting<Duration> HEALTH_IN_DOUBT_THRESHOLD = Settings.duration("healthInDoubtThreshold",
            "health.in-doubt-threshold", Duration.ofMinutes(5), Settings.notNegative(),
            "a prepared branch waiting longer for phase two is named in the health's attention detail");

    private final Environment environment;
    private final List<String> problems = new ArrayList<>();

    private LockstepPropertiesValidator(Environment environment) {
        this.environment = environment;
    }

    /** Throws {@link LockstepPropertiesException} listing every problem of {@code p}, if there is any. */
    static void validate(LockstepProperties p) {
        validate(p, null);
    }

    /**
     * As {@link #validate(LockstepProperties)}, and checks the text of every duration property in
     * {@code environment} (may be null) against Lockstep's one duration syntax.
     */
    static void validate(LockstepProperties p, Environment environment) {
        LockstepPropertiesValidator v = new LockstepPropertiesValidator(environment);
        v.check(p);
        if (!v.problems.isEmpty()) {
            throw new LockstepPropertiesException(v.problems);
        }
    }

    /**
     * The vendor of a DataSource: the one its explicit kind names, else the database its URL is of; null if neither
     * says.
     */
    static ResourceVendor vendorOf(LockstepProperties.DataSource ds) {
        if (ds.getKind() != null) {
            return ResourceVendor.forKind(ds.getKind().name()).orElse(null);
        }
        return database(ds.getUrl());
    }

    /** The broker vendor of a JMS connection factory's URL, or null. */
    static ResourceVendor vendorOf(LockstepProperties.Jms jms) {
        return ResourceVendor.forUrl(jms.getBrokerUrl()).filter(v -> v.category() == ResourceVendor.Category.BROKER)
                .orElse(null);
    }

    private static ResourceVendor database(String url) {
        return ResourceVendor.forUrl(url).filter(v -> v.category() == ResourceVendor.Category.DATABASE)
                .orElse(null);
    }

    private static String urlForms(ResourceVendor.Category category) {
        return ResourceVendor.all().stream().filter(v -> v.category() == category).map(ResourceVendor::urlForm)
                .collect(Collectors.joining(" or "));
    }

    private void check(LockstepProperties p) {
        if (p.getNodeId() == null || p.getNodeId().isBlank()) {
            problem("node-id", "is missing: set a node id unique among the applications sharing these resources "
                    + "and stable across restarts, e.g. lockstep.node-id=orders-1");
        } else if (p.getDecisionStore().getUrl() == null) {
            setting("node-id", Settings.NODE_ID, p.getNodeId());
        } else {
            // The database store keeps ids up to a pod's name (63) beside the short name its XIDs carry.
            try {
                LockstepXids.requireValidStoreNodeId(p.getNodeId());
            } catch (IllegalArgumentException e) {
                problem("node-id", e.getMessage().startsWith("nodeId ")
                        ? e.getMessage().substring("nodeId ".length()) : e.getMessage());
            }
        }
        LockstepProperties.DecisionStoreProperties store = p.getDecisionStore();
        if (store.getUrl() == null && p.getLogDirectory() == null) {
            problem("log-directory", "is missing: set the directory of the decision log, on a local disk that "
                    + "survives restarts, e.g. lockstep.log-directory=/var/lib/lockstep, or keep the decisions in "
                    + "PostgreSQL with lockstep.decision-store.url");
        }
        if (store.getUrl() != null) {
            if (!store.getUrl().startsWith("jdbc:postgresql:")) {
                problem("decision-store.url", "is '" + store.getUrl() + "': the decision store is PostgreSQL, give a "
                        + "jdbc:postgresql: URL");
            }
            if (store.getPoolSize() < 2) {
                problem("decision-store.pool-size", "is " + store.getPoolSize() + ": the store needs at least 2 "
                        + "connections (its writer and its lease)");
            }
            String bad = PostgresDecisionStore.problem(store.getSchema(), store.getLease());
            if (bad != null) {
                problem("decision-store", bad);
            }
        }
        duration(Settings.DEFAULT_TIMEOUT, p.getDefaultTimeout());
        setting(Settings.PHASE_THREADS.propertyKey(), Settings.PHASE_THREADS, p.getPhaseThreads());
        duration(Settings.RETRY_INITIAL_DELAY, p.getRetryInitialDelay());
        duration(Settings.RETRY_MAX_DELAY, p.getRetryMaxDelay());
        duration(Settings.TIMEOUT_CHECK_INTERVAL, p.getTimeoutCheckInterval());
        duration(Settings.LOST_BRANCH_WINDOW, p.getLostBranchWindow());
        duration(Settings.DRAIN_TIMEOUT, p.getDrainTimeout());
        duration(Settings.GROUP_COMMIT_MAX_WAIT, p.getGroupCommitMaxWait());
        String backoff = Settings.backoffProblem(p.getRetryInitialDelay(), p.getRetryMaxDelay(),
                P + Settings.RETRY_INITIAL_DELAY.propertyKey());
        if (backoff != null) {
            problem(Settings.RETRY_MAX_DELAY.propertyKey(), backoff);
        }
        DataSize segment = p.getLogSegmentSize();
        setting(Settings.LOG_SEGMENT_BYTES.propertyKey(), Settings.LOG_SEGMENT_BYTES,
                segment == null ? null : segment.toBytes());
        DataSize batch = p.getGroupCommitMaxBatchSize();
        if (batch != null && batch.toBytes() > Integer.MAX_VALUE) {
            problem(Settings.GROUP_COMMIT_MAX_BATCH_BYTES.propertyKey(), "is " + batch + ": use at most "
                    + Integer.MAX_VALUE + " bytes, e.g. 1MB");
        } else {
            setting(Settings.GROUP_COMMIT_MAX_BATCH_BYTES.propertyKey(), Settings.GROUP_COMMIT_MAX_BATCH_BYTES,
                    batch == null ? null : (int) batch.toBytes());
        }

        Set<String> names = new HashSet<>();
        int primaries = 0;
        for (Map.Entry<String, LockstepProperties.DataSource> e : p.getDatasources().entrySet()) {
            String key = "datasources." + e.getKey();
            LockstepProperties.DataSource ds = e.getValue();
            name(key, e.getKey(), names);
            if (ds.isPrimary()) {
                primaries++;
            }
            dataSourceUrl(key, ds);
            ResourceVendor vendor = vendorOf(ds);
            if (vendor != null && !vendor.driverPresent()) {
                problem(key + ".url", "needs the " + vendor.displayName() + " JDBC driver, which is not on the class "
                        + "path: add " + vendor.driverCoordinates() + " to your dependencies");
            }
            if (ds.getPoolSize() < 1) {
                problem(key + ".pool-size", "is " + ds.getPoolSize() + ": use at least 1");
            }
            duration(key + ".acquisition-timeout", ACQUISITION_TIMEOUT, ds.getAcquisitionTimeout());
        }
        if (primaries > 1) {
            problem("datasources.*.primary", "is true for " + primaries + " DataSources: mark at most one");
        }
        primaries = 0;
        for (Map.Entry<String, LockstepProperties.Jms> e : p.getJms().entrySet()) {
            String key = "jms." + e.getKey();
            LockstepProperties.Jms jms = e.getValue();
            name(key, e.getKey(), names);
            if (jms.isPrimary()) {
                primaries++;
            }
            if (jms.getBrokerUrl() == null || jms.getBrokerUrl().isBlank()) {
                problem(key + ".broker-url", "is missing: set the broker URL, e.g. "
                        + urlForms(ResourceVendor.Category.BROKER));
            } else if (vendorOf(jms) == null) {
                problem(key + ".broker-url", "is '" + jms.getBrokerUrl() + "', which names no broker Lockstep knows: "
                        + "use " + urlForms(ResourceVendor.Category.BROKER));
            } else if (vendorOf(jms).urlProblem(jms.getBrokerUrl()) != null) {
                problem(key + ".broker-url", vendorOf(jms).urlProblem(jms.getBrokerUrl()));
            }
            if (jms.getPoolSize() < 1) {
                problem(key + ".pool-size", "is " + jms.getPoolSize() + ": use at least 1");
            }
        }
        if (primaries > 1) {
            problem("jms.*.primary", "is true for " + primaries + " connection factories: mark at most one");
        }

        LockstepProperties.RecoveryProperties r = p.getRecovery();
        duration(RECOVERY_INTERVAL.propertyKey(), RECOVERY_INTERVAL, r.getInterval());
        duration(RECOVERY_INITIAL_DELAY.propertyKey(), RECOVERY_INITIAL_DELAY, r.getInitialDelay());
        duration(Settings.ORPHAN_SAFETY_INTERVAL, r.getOrphanSafetyInterval());
        duration(HEALTH_IN_DOUBT_THRESHOLD.propertyKey(), HEALTH_IN_DOUBT_THRESHOLD, p.getHealth().getInDoubtThreshold());
        String orphan = Settings.orphanSafetyProblem(r.getOrphanSafetyInterval(), p.getLostBranchWindow(),
                P + Settings.LOST_BRANCH_WINDOW.propertyKey());
        if (orphan != null) {
            problem(Settings.ORPHAN_SAFETY_INTERVAL.propertyKey(), orphan);
        }
    }

    private void dataSourceUrl(String key, LockstepProperties.DataSource ds) {
        String url = ds.getUrl();
        if (url == null || url.isBlank()) {
            problem(key + ".url", "is missing: set the JDBC URL, " + urlForms(ResourceVendor.Category.DATABASE));
            return;
        }
        ResourceVendor inferred = database(url);
        if (inferred == null) {
            if (ds.getKind() == null) {
                problem(key + ".url", "is '" + url + "', which names no database Lockstep knows: use "
                        + urlForms(ResourceVendor.Category.DATABASE));
            }
        } else if (inferred.urlProblem(url) != null) {
            problem(key + ".url", inferred.urlProblem(url));
        } else if (ds.getKind() != null && vendorOf(ds) != inferred) {
            problem(key + ".kind", "is " + ds.getKind() + " but " + P + key + ".url is a " + inferred.displayName()
                    + " URL: remove the kind or fix the URL");
        }
    }

    private void name(String key, String name, Set<String> taken) {
        String bad = NamedXAResource.nameProblem(name);
        if (bad != null || name.startsWith(NamedXAResource.UNNAMED_PREFIX)) {
            problem(key, "has a name Lockstep cannot use: " + (bad != null ? bad : "'" + name + "' is the "
                    + "transaction manager's name for an unnamed XAResource; choose another"));
        } else if (!taken.add(name)) {
            problem(key, "uses the name '" + name + "' that another DataSource or JMS factory already has: every "
                    + "resource needs its own name (the decision log records branches by name)");
        }
    }

    private void duration(Setting<Duration> setting, Duration value) {
        duration(setting.propertyKey(), setting, value);
    }

    /** The bound of {@code setting}, and the text of {@code key} in Lockstep's one duration syntax. */
    private void duration(String key, Setting<Duration> setting, Duration value) {
        String text = environment == null ? null : environment.getProperty(P + key);
        if (text != null) {
            try {
                DurationSyntax.parse(text.strip());
            } catch (IllegalArgumentException e) {
                problem(key, "is '" + text + "': " + e.getMessage());
                return;
            }
        }
        setting(key, setting, value);
    }

    private <T> void setting(String key, Setting<T> setting, T value) {
        String bad = setting.problem(value);
        if (bad != null) {
            problem(key, bad);
        }
    }

    private void problem(String property, String what) {
        problems.add(P + property + " " + what);
    }
}
