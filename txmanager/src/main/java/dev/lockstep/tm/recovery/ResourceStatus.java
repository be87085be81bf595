package dev.lockstep.tm.recovery;

import java.time.Instant;

/**
 * How a configured resource answered in a scan.
 *
 * @param name the resource name
 * @param reachable true if {@code recover()} answered in this scan
 * @param skipped true if it was not tried in this scan because it is backing off after failures
 * @param ourBranches how many branches of the nodes recovery is responsible for it listed (0 if unreachable)
 * @param foreignBranches how many other branches it listed (other nodes, other TMs); never touched
 * @param error why it could not be reached, or null
 * @param nextAttempt when an unreachable resource is tried next, or null if it is reachable
 */
public record ResourceStatus(String name, boolean reachable, boolean skipped, int ourBranches, int foreignBranches,
        String error, Instant nextAttempt) {
}
