/**
 * The recovery algorithm behind the public {@link dev.lockstep.tm.recovery.Recovery} facade, one job per class (the
 * way BTM's {@code Recoverer} leans on a helper): {@link dev.lockstep.tm.internal.recovery.RecoveryEngine} runs the
 * numbered steps of docs/recovery.md over a {@link dev.lockstep.tm.internal.recovery.Pass};
 * {@link dev.lockstep.tm.internal.recovery.ResourceAsker} asks the resources,
 * {@link dev.lockstep.tm.internal.recovery.DecisionReader} reads the decisions through a
 * {@link dev.lockstep.tm.internal.recovery.DecisionSource} (so a second decision store needs no change here),
 * {@link dev.lockstep.tm.internal.recovery.DecisionTable} is the decision table as one pure function,
 * {@link dev.lockstep.tm.internal.recovery.PhaseTwoCaller} calls commit or rollback,
 * {@link dev.lockstep.tm.internal.recovery.HeuristicRecorder} records what a resource decided on its own,
 * {@link dev.lockstep.tm.internal.recovery.Closer} writes END records and retires empty logs,
 * {@link dev.lockstep.tm.internal.recovery.ReportWriter} builds the report and
 * {@link dev.lockstep.tm.internal.recovery.OperatorResolve} carries out an operator's resolve.
 */
package dev.lockstep.tm.internal.recovery;
