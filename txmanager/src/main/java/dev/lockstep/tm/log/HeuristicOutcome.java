package dev.lockstep.tm.log;

/**
 * What a resource did on its own after it had prepared. The byte codes are part of the on-disk format (version 1)
 * and never change; a new outcome gets a new code.
 */
public enum HeuristicOutcome {
    /** The resource rolled its branch back although the decision was commit. */
    ROLLBACK(1),
    /** The resource committed part of its branch and rolled back the rest. */
    MIXED(2),
    /** The resource cannot tell what it did. */
    HAZARD(3),
    /**
     * The resource answered XAER_NOTA for a prepared branch on the first commit attempt: it lost the branch
     * (PostgreSQL does this when a statement of the branch had failed), docs/design.md invariant 6.
     */
    LOST(4);

    private final byte code;

    HeuristicOutcome(int code) {
        this.code = (byte) code;
    }

    /** The stable byte written to the log. */
    public byte code() {
        return code;
    }

    /** The outcome with {@code code}, or {@code null} if no outcome has that code. */
    public static HeuristicOutcome ofCode(byte code) {
        for (HeuristicOutcome o : values()) {
            if (o.code == code) {
                return o;
            }
        }
        return null;
    }
}
