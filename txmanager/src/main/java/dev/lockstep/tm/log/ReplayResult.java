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
 * @param recordsRead how many intact records were read (MARK frames are not records)
 * @param tornTail where an ignored torn tail of the open segment starts, if there was one
 * @param manifest the incarnation's manifest, or null if it has none (nothing was ever written)
 * @param openDataEnd where the data of the manifest's open segment ends (the torn tail's offset if there is one), or
 *     -1 if no segment is open
 */
public record ReplayResult(Map<Gtrid, PendingDecision> pending, long recordsRead, Optional<TornTail> tornTail,
        LogManifest manifest, long openDataEnd) {

    /**
     * Unforced bytes after the last intact frame of the open segment: never acknowledged, so ignored, together with
     * everything after them (docs/log-format.md, "Reading").
     */
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
