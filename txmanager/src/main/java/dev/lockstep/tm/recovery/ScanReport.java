package dev.lockstep.tm.recovery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The result of one {@link Recovery#scan()}.
 *
 * @param startedAt when the scan began
 * @param took how long it ran
 * @param resources how each configured resource answered
 * @param actions what the scan did, in order
 * @param inDoubt what is still unfinished after the scan, with the reason for each
 * @param logProblems logs that could not be used (corruption, a missing node directory), one line each; recovery of
 *     those nodes' transactions waits for an operator
 */
public record ScanReport(Instant startedAt, Duration took, List<ResourceStatus> resources,
        List<RecoveryAction> actions, List<InDoubtTransaction> inDoubt, List<String> logProblems) {

    public ScanReport {
        resources = List.copyOf(resources);
        actions = List.copyOf(actions);
        inDoubt = List.copyOf(inDoubt);
        logProblems = List.copyOf(logProblems);
    }

    /** True if nothing is left: every resource answered, nothing in doubt, no heuristics, every log readable. */
    public boolean clean() {
        return inDoubt.isEmpty() && logProblems.isEmpty() && resources.stream().allMatch(ResourceStatus::reachable);
    }
}
