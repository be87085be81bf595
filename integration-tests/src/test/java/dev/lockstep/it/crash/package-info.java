/**
 * The crash suite of docs/design.md section 3: processes die at named points or at random, the recovery service jar
 * finishes what they left, and every resource is checked from outside.
 *
 * <p>The application it kills and the checks of what it left are the demo's ({@code dev.lockstep.demo.transfer} in
 * {@code demo/}: {@code TransferApp}, {@code ChildJvm}, {@code RecoveryServiceProcess}, {@code Checker}); here is
 * {@link dev.lockstep.it.crash.TransferRun}: one run (node id, directory, accounts) tying them together.
 *
 * <p>Tests, each runnable alone ({@code mvn -o -q -pl integration-tests -am verify -Dtest=NAME
 * -Dsurefire.failIfNoSpecifiedTests=false}): {@code HarnessSelfTest} (the pieces, no service),
 * {@code CrashPointSuiteTest} (C1..C7 x 2/3 resources, writes {@code target/crash-matrix.md}),
 * {@code RandomKillTest} (kill -9 under load; {@code -Dlockstep.crash.trials}, {@code -Dlockstep.crash.seed}; writes
 * {@code target/random-kill.md}), {@code LogDamageTest} (torn tail, corrupt COMMIT). Runs leave their logs, the
 * app's output and the service's output under {@code target/crash/<node>/}.
 */
package dev.lockstep.it.crash;
