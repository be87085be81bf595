package dev.lockstep.tm.store;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Decisions in PostgreSQL instead of a local disk (docs/cluster.md): for nodes that have no disk of their own, such as
 * the pods of a Kubernetes Deployment. Chosen with {@code Lockstep.Builder.decisionStore} and
 * {@code Recovery.Builder.decisionStore}; the file log stays the default.
 *
 * <p>The store writes through a plain, non-XA {@link DataSource} (a pool: Lockstep keeps one connection for its writer
 * and borrows another for the lease), to the database and schema the user names: the application's own server in a
 * schema of its own, or a dedicated one. Each running incarnation holds a lease row whose expiry is taken from the
 * database's clock; every batch of decisions is written in the same statement as the check that the writer still
 * holds its lease, so a node whose lease was taken over can never decide again (invariants 4 and 5).
 *
 * <pre>{@code
 * PostgresDecisionStore store = PostgresDecisionStore.builder(dataSource)
 *         .schema("lockstep")            // default "lockstep"
 *         .createSchema(true)            // default true; false: refuse to start, giving the DDL
 *         .lease(Duration.ofSeconds(15)) // default 15 s; renewed every third of it
 *         .build();
 * }</pre>
 */
public final class PostgresDecisionStore {

    /** The lease length when none is set. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);
    /** The shortest lease: renewal must fit a network round trip and a pause of the JVM. */
    public static final Duration MIN_LEASE = Duration.ofSeconds(2);
    /** The longest lease: a dead node's branches wait about this long before another node finishes them. */
    public static final Duration MAX_LEASE = Duration.ofMinutes(10);

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final DataSource dataSource;
    private final String schema;
    private final boolean createSchema;
    private final Duration lease;

    private PostgresDecisionStore(Builder b) {
        this.dataSource = b.dataSource;
        this.schema = b.schema;
        this.createSchema = b.createSchema;
        this.lease = b.lease;
    }

    /** A store writing through {@code dataSource}, a pool of plain (non-XA) connections to PostgreSQL. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** The schema of the store's tables. */
    public String schema() {
        return schema;
    }

    /** Whether the store creates its schema when it is missing. */
    public boolean createSchema() {
        return createSchema;
    }

    /** How long a lease lasts without renewal; renewed every third of it. */
    public Duration lease() {
        return lease;
    }

    /** Where the decisions are, for messages: the schema and the kind of DataSource (never a URL or a password). */
    public String location() {
        return "PostgreSQL schema '" + schema + "' (through " + dataSource.getClass().getSimpleName() + ")";
    }

    @Override
    public String toString() {
        return "PostgresDecisionStore[" + location() + ", lease=" + lease + "]";
    }

    /** The store's settings, checked by {@link #build()}. */
    public static final class Builder {
        private final DataSource dataSource;
        private String schema = "lockstep";
        private boolean createSchema = true;
        private Duration lease = DEFAULT_LEASE;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource is missing: give a pool of plain "
                    + "(non-XA) connections to the PostgreSQL database that keeps the decisions");
        }

        /** The schema of the tables: lower-case letters, digits and '_', at most 63. Default {@code lockstep}. */
        public Builder schema(String schema) {
            this.schema = schema;
            return this;
        }

        /** Whether to create the schema on first use. Default true; false refuses to start and prints the DDL. */
        public Builder createSchema(boolean create) {
            this.createSchema = create;
            return this;
        }

        /** How long a lease lasts without renewal, 2 s to 10 min. Default 15 s. */
        public Builder lease(Duration lease) {
            this.lease = lease;
            return this;
        }

        /** @throws IllegalArgumentException naming the setting and its bound ({@link #problem}) */
        public PostgresDecisionStore build() {
            String problem = problem(schema, lease);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            return new PostgresDecisionStore(this);
        }
    }

    /**
     * Null, or what is wrong with a schema name and a lease length and how to fix it: the one check of these settings,
     * for the builder and for the integrations that read them as text (Spring Boot, JNDI, the recovery service).
     */
    public static String problem(String schema, Duration lease) {
        if (schema == null || !SCHEMA.matcher(schema).matches()) {
            return "schema '" + schema + "' is not a plain PostgreSQL name: use lower-case letters, digits and '_', "
                    + "starting with a letter or '_', at most 63 characters";
        }
        if (lease == null || lease.compareTo(MIN_LEASE) < 0 || lease.compareTo(MAX_LEASE) > 0) {
            return "lease " + lease + " must be between " + MIN_LEASE.toSeconds() + " s and " + MAX_LEASE.toMinutes()
                    + " min: long enough to survive a pause of the node, short enough that a dead node's branches are "
                    + "finished soon";
        }
        return null;
    }
}
