package dev.lockstep.bench.real;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The systems of the real-resource workload, by the id used on the command line ({@code --real-adapters=}); their
 * cells are named "real-" + id in the results. Issue 15 compares them side by side: the floors and the TM-only
 * systems on each worker's own raw connections (only the coordination differs), and the TMs with their pools.
 */
public enum RealAdapter {
    FLOOR("XA by hand in sequence, no TM (floor)"),
    FLOOR_PARALLEL("XA by hand, phases in parallel, no TM"),
    LOCKSTEP_RAW("Lockstep, TM only"),
    NARAYANA_RAW("Narayana (file store), TM only"),
    ATOMIKOS_RAW("Atomikos, TM only"),
    LOCKSTEP("Lockstep with its pools"),
    NARAYANA("Narayana + Agroal + pooled-jms"),
    /** Each branch alone by hand, then the three in sequence, one thread: the commit latency floors. */
    BRANCHES("each branch alone by hand, 1 thread");

    /** How a trial of the adapter runs. */
    public enum Kind {
        /** On each worker's own raw XA connections, held for the whole trial. */
        RAW,
        /** Through the TM's enlisting pools. */
        POOLED,
        /** The branches by hand on one thread. */
        BRANCHES
    }

    private final String label;

    RealAdapter(String label) {
        this.label = label;
    }

    /** The name on the command line: the constant's, in lower case, with dashes (LOCKSTEP_RAW: lockstep-raw). */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The adapter of its cells in the results. */
    public String cell() {
        return "real-" + id();
    }

    public String label() {
        return label;
    }

    public Kind kind() {
        return switch (this) {
            case LOCKSTEP, NARAYANA -> Kind.POOLED;
            case BRANCHES -> Kind.BRANCHES;
            default -> Kind.RAW;
        };
    }

    /** Opens the coordinator of a {@link Kind#RAW} adapter, its state (logs) in {@code dir}. */
    RawCoordinator coordinator(Path dir, RawConnections.Factories factories) throws Exception {
        return switch (this) {
            case FLOOR -> new ByHand(false);
            case FLOOR_PARALLEL -> new ByHand(true);
            case LOCKSTEP_RAW -> TmOnly.lockstep(dir);
            case NARAYANA_RAW -> TmOnly.narayana(dir);
            case ATOMIKOS_RAW -> TmOnly.atomikos(dir, factories);
            default -> throw new IllegalArgumentException(id() + " does not run on raw connections");
        };
    }

    /** Opens the system of a {@link Kind#POOLED} adapter. */
    RealSystem pooled(Path dir, RealServers servers, int poolSize) throws Exception {
        return switch (this) {
            case LOCKSTEP -> new LockstepReal(dir, servers, poolSize);
            case NARAYANA -> new NarayanaReal(dir, servers, poolSize);
            default -> throw new IllegalArgumentException(id() + " has no pools");
        };
    }

    public static RealAdapter byId(String id) {
        for (RealAdapter a : values()) {
            if (a.id().equals(id)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown real adapter '" + id + "': use one of " + ids(List.of(values())));
    }

    public static String ids(List<RealAdapter> adapters) {
        return adapters.stream().map(RealAdapter::id).collect(Collectors.joining(","));
    }
}
