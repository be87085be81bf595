package dev.lockstep.tm.recovery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The result of one {@link Recovery#scan()} or {@link Recovery#inspect()}.
 *
 * @param startedAt when the scan began
 * @param took how long it ran
 * @param resources how each configured resource answered
 * @param actions what the scan did, in order
 * @param inDoubt what is still unfinished after the scan, with the reason for each
 * @param logProblems logs that could not be used (corruption, a missing node directory), one line each; recovery of
 *     those nodes' transactions waits for an operator
 * @param liveDecisions COMMIT decisions still open in the log of a live owner (or heuristics of one, when not already
 *     in {@code inDoubt}) with no branch listed by any resource: the owner's own phase two or background retry is
 *     finishing them, so recovery leaves them alone; listed so that a decision stuck there (a branch in a resource
 *     the service does not know, an owner that hangs) is visible; not in doubt, so {@link #clean()} ignores them
 * @param logFindings what the scan noticed about the logs, as fields: every log problem (with its file and offset
 *     where there is one), a node without any log, and torn tails that were ignored
 */
public record ScanReport(Instant startedAt, Duration took, List<ResourceStatus> resources,
        List<RecoveryAction> actions, List<InDoubtTransaction> inDoubt, List<String> logProblems,
        List<InDoubtTransaction> liveDecisions, List<LogFinding> logFindings) {

    public ScanReport {
        resources = List.copyOf(resources);
        actions = List.copyOf(actions);
        inDoubt = List.copyOf(inDoubt);
        logProblems = List.copyOf(logProblems);
        liveDecisions = List.copyOf(liveDecisions);
        logFindings = List.copyOf(logFindings);
    }

    /** A report without live decisions or findings beyond the problems' text (tests, tools built before them). */
    public ScanReport(Instant startedAt, Duration took, List<ResourceStatus> resources, List<RecoveryAction> actions,
            List<InDoubtTransaction> inDoubt, List<String> logProblems) {
        this(startedAt, took, resources, actions, inDoubt, logProblems, List.of(), List.of());
    }

    /** True if nothing is left: every resource answered, nothing in doubt, no heuristics, every log readable. */
    public boolean clean() {
        return inDoubt.isEmpty() && logProblems.isEmpty() && resources.stream().allMatch(ResourceStatus::reachable);
    }

    /** The configured nodes that have no log at all ({@link LogFinding.FindingKind#NO_LOG}), in the order found. */
    public List<String> nodesWithoutLog() {
        return logFindings.stream().filter(f -> f.kind() == LogFinding.FindingKind.NO_LOG).map(LogFinding::nodeId)
                .toList();
    }
}
