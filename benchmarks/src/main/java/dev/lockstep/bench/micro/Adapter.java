package dev.lockstep.bench.micro;

import dev.lockstep.bench.pg.LockstepPgStoreSystem;
import dev.lockstep.bench.pg.NarayanaJdbcStoreSystem;
import dev.lockstep.bench.pg.PgRowCeiling;
import dev.lockstep.bench.pg.PgTarget;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The systems of the in-memory workloads, by the id used on the command line and in the results. */
public enum Adapter {
    LOCKSTEP("lockstep", "Lockstep", EnumSet.allOf(Workload.class)),
    /** Not in the standard set: Lockstep with parallelPhases(false), to see what the phase threads cost or save. */
    LOCKSTEP_SEQUENTIAL("lockstep-sequential", "Lockstep, parallelPhases(false)", EnumSet.allOf(Workload.class)),
    /**
     * Not in the standard set: Lockstep with lockstep-metrics' binder as its listener (meters and observations, the
     * observations timed as Spring Boot times them), to see what events and metrics cost beside plain "lockstep".
     */
    LOCKSTEP_METRICS("lockstep-metrics", "Lockstep + lockstep-metrics (meters and observations)",
            EnumSet.allOf(Workload.class)),
    /** Not in the standard set: as "lockstep-metrics" without observations, to tell the two costs apart. */
    LOCKSTEP_METERS("lockstep-meters", "Lockstep + lockstep-metrics (meters only)", EnumSet.allOf(Workload.class)),
    NARAYANA_FILE("narayana-file", "Narayana, file store", EnumSet.allOf(Workload.class)),
    // One-phase and read-only transactions write no log in Narayana: the store does not matter there.
    NARAYANA_JOURNAL("narayana-journal", "Narayana, journal store", EnumSet.of(Workload.TWO_PHASE)),
    ATOMIKOS("atomikos", "Atomikos", EnumSet.allOf(Workload.class)),
    CEILING_FORCE("ceiling-force", "ceiling: forced append, one force each", EnumSet.of(Workload.TWO_PHASE)),
    CEILING_GROUP("ceiling-group", "ceiling: forced append, group commit", EnumSet.of(Workload.TWO_PHASE)),
    /** Issue 15's second ceiling: one dedicated writer thread forces each batch while the committers wait. */
    CEILING_WRITER("ceiling-writer", "ceiling: forced append, a writer thread", EnumSet.of(Workload.TWO_PHASE)),
    XA_BY_HAND("xa-by-hand", "XA calls by hand, no TM, no log", EnumSet.allOf(Workload.class)),
    /*
     * Not in the standard set: decisions in a database (issue 13), all three on the harness's private PostgreSQL,
     * which the harness starts when one of them is chosen (--workloads=2pc --adapters=lockstep-pgstore,...).
     */
    /** Lockstep with PostgresDecisionStore, a fresh schema per trial, in-process recovery off. */
    LOCKSTEP_PGSTORE("lockstep-pgstore", "Lockstep, PostgreSQL decision store", EnumSet.of(Workload.TWO_PHASE)),
    /** Narayana with its JDBC object store on the same server, a table prefix per trial. */
    NARAYANA_JDBCSTORE("narayana-jdbcstore", "Narayana, JDBC store on PostgreSQL", EnumSet.of(Workload.TWO_PHASE)),
    /** N connections each inserting one COMMIT-sized row and committing it (synchronous_commit on), no batching. */
    CEILING_PG_ROW("ceiling-pg-row", "ceiling: PostgreSQL, one row inserted and committed each",
            EnumSet.of(Workload.TWO_PHASE));

    /**
     * Size of the records of the ceilings: Lockstep's framed COMMIT record of a two-branch transaction with short
     * resource names (docs/log-format.md: 88 bytes with a 34-byte gtrid and 10-character names; the names here,
     * "bench-rm-1" and "bench-rm-2", are 10 characters).
     */
    public static final int COMMIT_RECORD_BYTES = 88;

    private final String id;
    private final String label;
    private final Set<Workload> workloads;

    Adapter(String id, String label, Set<Workload> workloads) {
        this.id = id;
        this.label = label;
        this.workloads = workloads;
    }

    public String id() {
        return id;
    }

    public String label() {
        return label;
    }

    public boolean runs(Workload workload) {
        return workloads.contains(workload);
    }

    /** Whether this adapter keeps its decisions in the harness's private PostgreSQL server. */
    public boolean needsPostgres() {
        return this == LOCKSTEP_PGSTORE || this == NARAYANA_JDBCSTORE || this == CEILING_PG_ROW;
    }

    /**
     * Opens the system in {@code dir} (a fresh, empty directory of this trial); {@code pg} is the private PostgreSQL
     * server for the adapters that {@link #needsPostgres()}, else null.
     */
    public TxSystem open(Path dir, PgTarget pg) throws Exception {
        if (needsPostgres() && pg == null) {
            throw new IllegalArgumentException(id + " needs the PostgreSQL server (--pg-url=, --pg-user=, "
                    + "--pg-password=)");
        }
        return switch (this) {
            case LOCKSTEP -> new LockstepSystem(dir, true, LockstepSystem.Listening.NONE);
            case LOCKSTEP_SEQUENTIAL -> new LockstepSystem(dir, false, LockstepSystem.Listening.NONE);
            case LOCKSTEP_METRICS -> new LockstepSystem(dir, true, LockstepSystem.Listening.METERS_AND_OBSERVATIONS);
            case LOCKSTEP_METERS -> new LockstepSystem(dir, true, LockstepSystem.Listening.METERS);
            case NARAYANA_FILE -> new NarayanaSystem(dir, NarayanaSystem.Store.FILE);
            case NARAYANA_JOURNAL -> new NarayanaSystem(dir, NarayanaSystem.Store.JOURNAL);
            case ATOMIKOS -> new AtomikosSystem(dir);
            case CEILING_FORCE -> new ForcedAppendCeiling(dir, COMMIT_RECORD_BYTES);
            case CEILING_GROUP -> new GroupCommitCeiling(dir, COMMIT_RECORD_BYTES);
            case CEILING_WRITER -> new WriterThreadCeiling(dir, COMMIT_RECORD_BYTES);
            case XA_BY_HAND -> new XaByHand();
            case LOCKSTEP_PGSTORE -> new LockstepPgStoreSystem(pg);
            case NARAYANA_JDBCSTORE -> new NarayanaJdbcStoreSystem(dir, pg);
            case CEILING_PG_ROW -> new PgRowCeiling(pg, COMMIT_RECORD_BYTES);
        };
    }

    /** The adapters of the standard set: all but the diagnostic variants. */
    public static List<Adapter> standard() {
        return List.of(LOCKSTEP, NARAYANA_FILE, NARAYANA_JOURNAL, ATOMIKOS, CEILING_FORCE, CEILING_GROUP, CEILING_WRITER,
                XA_BY_HAND);
    }

    public static Adapter byId(String id) {
        for (Adapter a : values()) {
            if (a.id.equals(id)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown adapter '" + id + "': use one of " + ids(List.of(values())));
    }

    public static String ids(List<Adapter> adapters) {
        return adapters.stream().map(Adapter::id).collect(Collectors.joining(","));
    }
}
