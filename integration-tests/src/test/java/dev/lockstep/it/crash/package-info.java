/**
 * The crash suite of docs/design.md section 3: processes die at named points or at random, the recovery service jar
 * finishes what they left, and every resource is checked from outside.
 *
 * <p>Reusable pieces (a demo can drive them too):
 * <ul>
 * <li>{@link dev.lockstep.it.crash.TransferApp}: the application, a main class for a child JVM: transfers across
 * PostgreSQL, MariaDB and (optionally) Artemis in one UserTransaction; crash mode halts at a crash point, load mode
 * runs until killed, or holds one transfer at a crash point for a kill from outside (the demo,
 * {@code dev.lockstep.it.demo}). {@link dev.lockstep.it.crash.ChildJvm} starts and kills it.</li>
 * <li>{@link dev.lockstep.it.crash.RecoveryServiceProcess}: writes the service's configuration for the harness'
 * servers and runs {@code java -jar lockstep-recovery-service.jar <command> -c FILE} as its own process.</li>
 * <li>{@link dev.lockstep.it.crash.Checker}: no branch left in any recover() list, each transfer in all resources
 * or none with balances that add up, each message of a committed transfer delivered exactly once.</li>
 * <li>{@link dev.lockstep.it.crash.TransferRun}: one run (node id, directory, accounts) tying them together.</li>
 * </ul>
 *
 * <p>Tests, each runnable alone ({@code mvn -o -q -pl integration-tests -am verify -Dtest=NAME
 * -Dsurefire.failIfNoSpecifiedTests=false}): {@code HarnessSelfTest} (the pieces, no service),
 * {@code CrashPointSuiteTest} (C1..C7 x 2/3 resources, writes {@code target/crash-matrix.md}),
 * {@code RandomKillTest} (kill -9 under load; {@code -Dlockstep.crash.trials}, {@code -Dlockstep.crash.seed}; writes
 * {@code target/random-kill.md}), {@code LogDamageTest} (torn tail, corrupt COMMIT). Runs leave their logs, the
 * app's output and the service's output under {@code target/crash/<node>/}.
 */
package dev.lockstep.it.crash;
