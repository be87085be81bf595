package dev.lockstep.tm.internal.pgstore;

import dev.lockstep.tm.messages.TmMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The database store's tables (docs/cluster.md, "Schema"), version {@value #VERSION}: created on first use when
 * allowed, else a refusal that gives the DDL, for DBAs who create schemas themselves.
 *
 * <ul>
 * <li>{@code node}: every node that ever started here: the name its XIDs carry ({@code node_id}, the node id itself,
 * or for an id longer than an XID holds, its start and a number from {@code node_number}), its full id
 * ({@code name}), and its newest incarnation: an XID's incarnation at or below it whose row is gone was retired
 * (nothing open), one above it or of an unknown node is not this store's.</li>
 * <li>{@code incarnation}: one row per running (or dead, not yet finished) incarnation, its lease: who holds it, at
 * which epoch (bumped by every takeover), until when (the database's clock).</li>
 * <li>{@code decision}: the records of each incarnation, in the file log's codec ({@code record}), in the order they
 * were written ({@code seq}); an END deletes the COMMIT it closes, so the table holds only open decisions.</li>
 * </ul>
 */
final class PgSchema {

    static final int VERSION = 1;

    static final short KIND_COMMIT = 1;
    static final short KIND_END = 2;
    static final short KIND_HEURISTIC = 3;

    private PgSchema() {
    }

    /** The DDL of version {@value #VERSION} in {@code schema}, as one script. */
    static String ddl(String schema) {
        return """
                CREATE SCHEMA IF NOT EXISTS %1$s;
                CREATE TABLE %1$s.schema_version (
                    version integer NOT NULL
                );
                CREATE SEQUENCE %1$s.node_number;
                CREATE TABLE %1$s.node (
                    node_id          text PRIMARY KEY,
                    name             text NOT NULL UNIQUE,
                    last_incarnation bigint NOT NULL
                );
                CREATE TABLE %1$s.incarnation (
                    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    node_id    text NOT NULL,
                    holder     text NOT NULL,
                    epoch      bigint NOT NULL,
                    expires_at timestamptz NOT NULL,
                    started_at timestamptz NOT NULL DEFAULT clock_timestamp()
                );
                CREATE INDEX incarnation_node ON %1$s.incarnation (node_id);
                CREATE TABLE %1$s.decision (
                    incarnation bigint NOT NULL REFERENCES %1$s.incarnation (id) ON DELETE CASCADE,
                    seq         bigint GENERATED ALWAYS AS IDENTITY,
                    gtrid       bytea NOT NULL,
                    kind        smallint NOT NULL,
                    record      bytea NOT NULL,
                    PRIMARY KEY (incarnation, seq)
                );
                CREATE INDEX decision_gtrid ON %1$s.decision (incarnation, gtrid);
                INSERT INTO %1$s.schema_version (version) VALUES (%2$d);
                """.formatted(schema, VERSION);
    }

    /**
     * Checks that {@code schema} holds version {@value #VERSION}, creating it if missing and {@code create}.
     *
     * <p>A schema that exists is checked in autocommit reads that hold no lock, so a node paused at any moment (a
     * long GC pause, SIGSTOP, a frozen VM) never holds up another node's start or recovery scan, which open the
     * store the same way. Only creation is a transaction: concurrent first starts serialize on an advisory lock, so
     * exactly one creates it, and the transaction limits its own idle time to {@code holdLimit}
     * ({@code idle_in_transaction_session_timeout}), so the server ends the session of a creator paused between its
     * statements and the others go on. (A scan that took the lock on every open, and a node paused inside it, once
     * kept every other node from taking over a lease for as long as the pause lasted.)
     *
     * @param holdLimit the longest a client may sit idle inside the creating transaction; the store's lease
     * @throws IllegalStateException with the DDL if the schema is missing and may not be created, or has another
     *     version
     */
    static void ensure(Connection c, String schema, boolean create, Duration holdLimit) throws SQLException {
        boolean auto = c.getAutoCommit();
        if (!auto) {
            c.setAutoCommit(true);
        }
        try {
            Integer version = version(c, schema);
            if (version != null) {
                requireVersion(schema, version);
                return;
            }
            c.setAutoCommit(false);
            try {
                try (Statement limit = c.createStatement()) {
                    limit.execute("SET LOCAL idle_in_transaction_session_timeout = "
                            + Math.max(1, holdLimit.toMillis()));
                }
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                    lock.setString(1, "lockstep-schema:" + schema);
                    lock.execute();
                }
                version = version(c, schema);
                if (version == null) {
                    if (!create) {
                        throw new IllegalStateException(TmMessage.STORE_SCHEMA_MISSING + " the decision store's "
                                + "schema '" + schema + "' does not exist (no table " + schema + ".schema_version) and "
                                + "createSchema is off: create it with\n" + ddl(schema) + "or allow the store to "
                                + "create it");
                    }
                    try (Statement s = c.createStatement()) {
                        s.execute(ddl(schema));
                    }
                } else {
                    requireVersion(schema, version);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            }
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static void requireVersion(String schema, int version) {
        if (version != VERSION) {
            throw new IllegalStateException(TmMessage.STORE_SCHEMA_VERSION + " the decision store's schema '"
                    + schema + "' has version " + version + "; this Lockstep reads version " + VERSION
                    + ": run a Lockstep that knows version " + version + ", or use another schema");
        }
    }

    /** A rollback on a connection the server may have closed (its idle limit passed): its failure joins {@code e}. */
    private static void rollbackQuietly(Connection c, Exception e) {
        try {
            c.rollback();
        } catch (SQLException r) {
            e.addSuppressed(r);
        }
    }

    /** The schema's version, -1 if its table is empty, null if it does not exist. */
    static Integer version(Connection c, String schema) throws SQLException {
        try (PreparedStatement exists = c.prepareStatement(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = 'schema_version'")) {
            exists.setString(1, schema);
            try (ResultSet rs = exists.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
            }
        }
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT max(version) FROM " + schema + ".schema_version")) {
            rs.next();
            int v = rs.getInt(1);
            return rs.wasNull() ? -1 : v;
        }
    }
}
