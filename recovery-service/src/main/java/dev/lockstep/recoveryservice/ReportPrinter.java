package dev.lockstep.recoveryservice;

import dev.lockstep.tm.recovery.InDoubtTransaction;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.ResourceStatus;
import dev.lockstep.tm.recovery.ScanReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Prints what a scan leaves behind as logfmt lines: a summary, and one line per thing still open. */
final class ReportPrinter {

    private final EventLog events;

    ReportPrinter(EventLog events) {
        this.events = events;
    }

    /** The one summary line of a scan: how long, resources reachable, actions, in doubt left, log problems. */
    void summary(ScanReport r) {
        long reachable = r.resources().stream().filter(ResourceStatus::reachable).count();
        events.info("scan_done").add("took_ms", r.took() == null ? null : r.took().toMillis())
                .add("resources_reachable", reachable + "/" + r.resources().size())
                .add("actions", r.actions().size()).add("in_doubt", r.inDoubt().size())
                .add("log_problems", r.logProblems().size()).add("clean", r.clean()).print();
    }

    /**
     * One line per transaction still in doubt and per unreachable resource (warnings), one per log problem (an
     * error, unless an ERROR action of the scan already printed the same text).
     */
    void details(ScanReport r) {
        for (InDoubtTransaction t : r.inDoubt()) {
            events.warn("in_doubt").add("node", t.nodeId()).add("gtrid", t.gtrid()).add("tx", shortId(t))
                    .add("owner", lower(t.owner())).add("decision", lower(t.decision()))
                    .add("branches", branches(t)).add("heuristics", heuristics(t))
                    .add("waiting_for", t.waitingFor()).print();
        }
        for (ResourceStatus s : r.resources()) {
            if (!s.reachable()) {
                events.warn("resource_unreachable").add("resource", s.name()).add("skipped", s.skipped())
                        .add("error", s.error()).add("next_attempt", s.nextAttempt()).print();
            }
        }
        List<String> alreadyPrinted = r.actions().stream().filter(a -> a.kind() == RecoveryAction.Kind.ERROR)
                .map(RecoveryAction::detail).toList();
        for (String p : r.logProblems()) {
            if (!alreadyPrinted.contains(p)) {
                events.error("log_problem").add("detail", p).print();
            }
        }
    }

    /** What {@link #details} would print, without times: the daemon prints details again only when it changes. */
    static String fingerprint(ScanReport r) {
        List<String> parts = new ArrayList<>();
        r.inDoubt().forEach(t -> parts.add(t.gtrid() + " " + t.owner() + " " + t.decision() + " " + branches(t) + " "
                + heuristics(t) + " " + t.waitingFor()));
        r.resources().stream().filter(s -> !s.reachable()).forEach(s -> parts.add(s.name() + " " + s.error()));
        parts.addAll(r.logProblems());
        return String.join("\n", parts);
    }

    static String shortId(InDoubtTransaction t) {
        return t.nodeId() + ":" + t.incarnation() + ":" + t.sequence();
    }

    /** {@code resource/bqual:state} for each branch, space-separated. */
    static String branches(InDoubtTransaction t) {
        return t.branches().stream().map(b -> b.resource() + "/" + b.bqual() + ":" + b.state())
                .collect(Collectors.joining(" "));
    }

    /** {@code resource/bqual:outcome} for each heuristic, space-separated; null if none. */
    static String heuristics(InDoubtTransaction t) {
        if (t.heuristics().isEmpty()) {
            return null;
        }
        return t.heuristics().stream().map(h -> h.resource() + "/" + h.bqual() + ":" + h.outcome())
                .collect(Collectors.joining(" "));
    }

    static String lower(Enum<?> e) {
        return e == null ? null : e.name().toLowerCase(Locale.ROOT);
    }
}
