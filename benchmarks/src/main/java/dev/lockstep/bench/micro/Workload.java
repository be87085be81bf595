package dev.lockstep.bench.micro;

import java.util.Locale;

/** The in-memory workloads of docs/design.md section 6: what a transaction enlists and how its resources vote. */
public enum Workload {
    /** Two resources that vote OK: prepare both, log the decision, commit both. */
    TWO_PHASE("2pc", "two resources, both vote OK (two-phase commit)", 2, false),
    /** One resource: commit in one phase, no log. */
    ONE_PHASE("1pc", "one resource (one-phase commit)", 1, false),
    /** Two resources that vote read-only: prepare both, nothing else, no log. */
    READ_ONLY("ro", "two resources, both vote read-only", 2, true);

    private final String id;
    private final String description;
    private final int branches;
    private final boolean readOnly;

    Workload(String id, String description, int branches, boolean readOnly) {
        this.id = id;
        this.description = description;
        this.branches = branches;
        this.readOnly = readOnly;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    public int branches() {
        return branches;
    }

    public boolean readOnly() {
        return readOnly;
    }

    public static Workload byId(String id) {
        for (Workload w : values()) {
            if (w.id.equals(id.toLowerCase(Locale.ROOT))) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + id + "': use one of 2pc, 1pc, ro");
    }
}
