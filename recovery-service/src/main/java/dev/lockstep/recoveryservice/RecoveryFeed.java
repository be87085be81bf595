package dev.lockstep.recoveryservice;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.RecoveryListener;
import dev.lockstep.tm.recovery.ResourceStatus;
import dev.lockstep.tm.recovery.ScanReport;
import java.time.Instant;
import java.util.Locale;

/**
 * The daemon's recovery as {@code /api/events} events, published to an {@link EventHub}: {@code scan_started},
 * every action as it happens (its kind in lower case as the type: {@code take_over}, {@code commit}, {@code
 * rollback}, {@code heuristic}, {@code end}, {@code retire}, {@code recover_scan} with {@code "ok": false} for a
 * resource that could not be reached, …) with the fields {@code POST /api/resolve} answers for an action, and
 * {@code scan_finished} with the figures of the {@code scan_done} line, then {@code in_doubt} with what is unfinished
 * after the scan, in {@code GET /api/in-doubt}'s JSON, when it differs from the last one sent (so a page kept up to
 * date by the stream alone sees transactions appear, change and go; with nothing changing, a scan adds nothing
 * bigger than its figures to the history). docs/recovery-service.md lists them.
 */
final class RecoveryFeed implements RecoveryListener {

    private final EventHub hub;
    /** The last {@code in_doubt} listing sent, without its time; told on the scanning thread only. */
    private ObjectNode lastListing;

    RecoveryFeed(EventHub hub) {
        this.hub = hub;
    }

    @Override
    public void scanStarted(Instant at) {
        hub.publish("scan_started", HttpReply.JSON.createObjectNode().put("at", Logfmt.ts(at)));
    }

    @Override
    public void onAction(RecoveryAction a) {
        hub.publish(a.kind().name().toLowerCase(Locale.ROOT), action(a));
    }

    @Override
    public void scanFinished(ScanReport r) {
        long reachable = r.resources().stream().filter(ResourceStatus::reachable).count();
        ObjectNode o = HttpReply.JSON.createObjectNode().put("startedAt", Logfmt.ts(r.startedAt()))
                .put("tookMs", r.took() == null ? null : r.took().toMillis())
                .put("resources", r.resources().size()).put("resourcesReachable", reachable)
                .put("actions", r.actions().size()).put("inDoubt", r.inDoubt().size())
                .put("heuristics", r.inDoubt().stream().mapToInt(t -> t.heuristics().size()).sum())
                .put("logProblems", r.logProblems().size()).put("clean", r.clean());
        var unreachable = o.putArray("unreachable");
        r.resources().stream().filter(s -> !s.reachable()).forEach(s -> unreachable.add(s.name()));
        hub.publish("scan_finished", o);
        ObjectNode listing = InDoubtListing.tree(r);
        ObjectNode withoutTime = listing.deepCopy();
        withoutTime.remove("inspectedAt");
        if (!withoutTime.equals(lastListing)) {
            lastListing = withoutTime;
            hub.publish("in_doubt", listing);
        }
    }

    /** {@code {"at", "kind", "ok", "node", "gtrid", "bqual", "resource", "detail"}}, as a resolve answers it. */
    static ObjectNode action(RecoveryAction a) {
        return HttpReply.JSON.createObjectNode().put("at", Logfmt.ts(a.at())).put("kind", a.kind().name())
                .put("ok", a.ok()).put("node", a.nodeId()).put("gtrid", a.gtrid()).put("bqual", a.bqual())
                .put("resource", a.resource()).put("detail", a.detail());
    }
}
