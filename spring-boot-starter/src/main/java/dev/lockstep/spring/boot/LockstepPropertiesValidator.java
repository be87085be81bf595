package dev.lockstep.spring.boot;

import dev.lockstep.spring.boot.LockstepProperties.DatabaseKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.util.ClassUtils;
import org.springframework.util.unit.DataSize;

/**
 * Checks {@link LockstepProperties} as a whole and reports every problem at once, each with the property's full name,
 * what is wrong and what to do: the same limits as {@code Lockstep.builder()} and the pools apply, but their messages
 * name builder methods, which a Boot user never calls.
 */
final class LockstepPropertiesValidator {

    /** Resource names: the recovery service's rule for its resource.NAME keys, so both can use the same names. */
    static final Pattern RESOURCE_NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,34}");
    private static final String P = LockstepProperties.PREFIX + ".";

    private final List<String> problems = new ArrayList<>();

    private LockstepPropertiesValidator() {
    }

    /** Throws {@link LockstepPropertiesException} listing every problem of {@code p}, if there is any. */
    static void validate(LockstepProperties p) {
        LockstepPropertiesValidator v = new LockstepPropertiesValidator();
        v.check(p);
        if (!v.problems.isEmpty()) {
            throw new LockstepPropertiesException(v.problems);
        }
    }

    /** The kind of the DataSource: the explicit one, else the one its URL names; null if neither says. */
    static DatabaseKind kindOf(LockstepProperties.DataSource ds) {
        if (ds.getKind() != null) {
            return ds.getKind();
        }
        String url = ds.getUrl();
        if (url == null) {
            return null;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return DatabaseKind.POSTGRESQL;
        }
        if (url.startsWith("jdbc:mysql:")) {
            return DatabaseKind.MYSQL;
        }
        return null;
    }

    private void check(LockstepProperties p) {
        if (p.getNodeId() == null || p.getNodeId().isBlank()) {
            problem("node-id", "is missing: set a node id unique among the applications sharing these resources "
                    + "and stable across restarts, e.g. lockstep.node-id=orders-1");
        } else if (!NODE_ID.matcher(p.getNodeId()).matches() || p.getNodeId().equals(".")
                || p.getNodeId().equals("..")) {
            problem("node-id", "is '" + p.getNodeId() + "': use 1 to 34 letters, digits, '.', '_' or '-' (it is "
                    + "written into every XID and names a directory)");
        }
        if (p.getLogDirectory() == null) {
            problem("log-directory", "is missing: set the directory of the decision log, on a local disk that "
                    + "survives restarts, e.g. lockstep.log-directory=/var/lib/lockstep");
        }
        Duration timeout = p.getDefaultTimeout();
        if (timeout == null || timeout.toNanos() % 1_000_000_000L != 0 || timeout.toSeconds() < 1
                || timeout.toSeconds() > Integer.MAX_VALUE) {
            problem("default-timeout", "is " + timeout + ": use a whole number of seconds, at least 1s (JTA "
                    + "timeouts are in seconds), e.g. 60s");
        }
        positive("retry-initial-delay", p.getRetryInitialDelay());
        positive("retry-max-delay", p.getRetryMaxDelay());
        positive("timeout-check-interval", p.getTimeoutCheckInterval());
        positive("lost-branch-window", p.getLostBranchWindow());
        notNegative("drain-timeout", p.getDrainTimeout());
        notNegative("group-commit-max-wait", p.getGroupCommitMaxWait());
        if (isPositive(p.getRetryInitialDelay()) && isPositive(p.getRetryMaxDelay())
                && p.getRetryMaxDelay().compareTo(p.getRetryInitialDelay()) < 0) {
            problem("retry-max-delay", "(" + p.getRetryMaxDelay() + ") is shorter than " + P
                    + "retry-initial-delay (" + p.getRetryInitialDelay() + "): the cap must be at least the first delay");
        }
        if (p.getPhaseThreads() < 1 || p.getPhaseThreads() > 256) {
            problem("phase-threads", "is " + p.getPhaseThreads() + ": use 1 to 256");
        }
        size("log-segment-size", p.getLogSegmentSize(), DataSize.ofKilobytes(64), DataSize.ofGigabytes(1));
        size("group-commit-max-batch-size", p.getGroupCommitMaxBatchSize(), DataSize.ofKilobytes(4),
                DataSize.ofBytes(Integer.MAX_VALUE));

        Set<String> names = new HashSet<>();
        int primaries = 0;
        for (Map.Entry<String, LockstepProperties.DataSource> e : p.getDatasources().entrySet()) {
            String key = "datasources." + e.getKey();
            LockstepProperties.DataSource ds = e.getValue();
            name(key, e.getKey(), names);
            if (ds.isPrimary()) {
                primaries++;
            }
            if (ds.getUrl() == null || ds.getUrl().isBlank()) {
                problem(key + ".url", "is missing: set the JDBC URL, jdbc:postgresql://host:5432/db or "
                        + "jdbc:mysql://host:3306/db (MySQL and MariaDB)");
            } else if (ds.getUrl().startsWith("jdbc:mariadb:")) {
                problem(key + ".url", "is a jdbc:mariadb: URL: Lockstep drives MariaDB through mysql-connector-j, "
                        + "write it as jdbc:mysql://host:port/db");
            } else if (kindOf(ds) == null) {
                problem(key + ".url", "is '" + ds.getUrl() + "', which names no database Lockstep knows: use a "
                        + "jdbc:postgresql: or jdbc:mysql: URL");
            } else if (ds.getKind() != null && inferred(ds.getUrl()) != null && inferred(ds.getUrl()) != ds.getKind()) {
                problem(key + ".kind", "is " + ds.getKind() + " but " + P + key + ".url is a "
                        + inferred(ds.getUrl()) + " URL: remove the kind or fix the URL");
            }
            DatabaseKind kind = kindOf(ds);
            if (kind != null && !ClassUtils.isPresent(driverClass(kind), LockstepPropertiesValidator.class.getClassLoader())) {
                problem(key + ".url", "needs the " + kind + " JDBC driver, which is not on the class path: add "
                        + driverArtifact(kind) + " to your dependencies");
            }
            if (ds.getPoolSize() < 1) {
                problem(key + ".pool-size", "is " + ds.getPoolSize() + ": use at least 1");
            }
            positive(key + ".acquisition-timeout", ds.getAcquisitionTimeout());
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
                problem(key + ".broker-url", "is missing: set the Artemis broker URL, e.g. tcp://host:61616");
            }
            if (jms.getPoolSize() < 1) {
                problem(key + ".pool-size", "is " + jms.getPoolSize() + ": use at least 1");
            }
        }
        if (primaries > 1) {
            problem("jms.*.primary", "is true for " + primaries + " connection factories: mark at most one");
        }

        LockstepProperties.Recovery r = p.getRecovery();
        positive("recovery.interval", r.getInterval());
        notNegative("recovery.initial-delay", r.getInitialDelay());
        positive("recovery.orphan-safety-interval", r.getOrphanSafetyInterval());
        if (isPositive(r.getOrphanSafetyInterval()) && isPositive(p.getLostBranchWindow())
                && r.getOrphanSafetyInterval().compareTo(p.getLostBranchWindow()) <= 0) {
            problem("recovery.orphan-safety-interval", "(" + r.getOrphanSafetyInterval() + ") must be longer than "
                    + P + "lost-branch-window (" + p.getLostBranchWindow() + "), or recovery could commit a branch "
                    + "under the transaction manager's first commit and turn it into a false lost-branch heuristic");
        }
    }

    /** The XADataSource class of the driver Lockstep uses for {@code kind}. */
    static String driverClass(DatabaseKind kind) {
        return switch (kind) {
            case POSTGRESQL -> "org.postgresql.xa.PGXADataSource";
            case MYSQL -> "com.mysql.cj.jdbc.MysqlXADataSource";
        };
    }

    private static String driverArtifact(DatabaseKind kind) {
        return switch (kind) {
            case POSTGRESQL -> "org.postgresql:postgresql";
            case MYSQL -> "com.mysql:mysql-connector-j";
        };
    }

    private static DatabaseKind inferred(String url) {
        LockstepProperties.DataSource probe = new LockstepProperties.DataSource();
        probe.setUrl(url);
        return kindOf(probe);
    }

    private void name(String key, String name, Set<String> taken) {
        if (!RESOURCE_NAME.matcher(name).matches()) {
            problem(key, "has the name '" + name + "': use letters, digits, '.', '_' and '-' only (it is the "
                    + "resource name in the decision log and the bean name)");
        } else if (!taken.add(name)) {
            problem(key, "uses the name '" + name + "' that another DataSource or JMS factory already has: every "
                    + "resource needs its own name (the decision log records branches by name)");
        }
    }

    private void positive(String key, Duration d) {
        if (!isPositive(d)) {
            problem(key, "is " + d + ": use a positive duration, e.g. 500ms, 10s");
        }
    }

    private void notNegative(String key, Duration d) {
        if (d == null || d.isNegative()) {
            problem(key, "is " + d + ": use a duration of 0 or more");
        }
    }

    private void size(String key, DataSize s, DataSize min, DataSize max) {
        if (s == null || s.compareTo(min) < 0 || s.compareTo(max) > 0) {
            problem(key, "is " + s + ": use " + min.toBytes() + " to " + max.toBytes() + " bytes, e.g. 16MB");
        }
    }

    private static boolean isPositive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    private void problem(String property, String what) {
        problems.add(P + property + " " + what);
    }
}
