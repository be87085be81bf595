package dev.lockstep.tm.log;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link LogReader} found in one incarnation's segments.
 *
 * @param pending the open decisions, keyed by gtrid content, in log order
 * @param recordsRead how many intact records were read
 * @param tornTail where an ignored torn tail starts, if there was one
 */
public record ReplayResult(Map<Gtrid, PendingDecision> pending, long recordsRead, Optional<TornTail> tornTail) {

    /** A damaged tail after the last intact record: never acknowledged, so ignored (DESIGN.md invariant 8). */
    public record TornTail(Path file, long offset, String problem) {
    }

    public ReplayResult {
        pending = Collections.unmodifiableMap(new LinkedHashMap<>(pending));
    }

    /** True if no decision is open: the incarnation can be retired. */
    public boolean nothingPending() {
        return pending.isEmpty();
    }
}
