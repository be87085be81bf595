/**
 * What a running Lockstep is doing, for operators' tools: {@link dev.lockstep.tm.snapshot.LockstepSnapshot}, taken by
 * {@code Lockstep.snapshot()} (transactions in flight, branches being retried, heuristics, the decision store's
 * state). Read by the Spring Boot starter's health indicator and Actuator endpoint; docs/operations.md describes them.
 */
package dev.lockstep.tm.snapshot;
