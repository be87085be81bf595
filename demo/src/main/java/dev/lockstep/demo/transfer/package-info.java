/**
 * The transfer application that the demo and the crash suite (integration-tests, {@code dev.lockstep.it.crash})
 * kill, and what checks it from outside:
 * <ul>
 * <li>{@link dev.lockstep.demo.transfer.TransferApp}: the application, a main class for a child JVM: transfers across
 * PostgreSQL, MariaDB and (optionally) Artemis in one UserTransaction ({@link
 * dev.lockstep.demo.transfer.TransferResources}); crash mode halts at a crash point, load mode runs until killed, or
 * holds one transfer at a crash point for a kill from outside (the demo). {@link dev.lockstep.demo.transfer.ChildJvm}
 * starts and kills it.</li>
 * <li>{@link dev.lockstep.demo.transfer.RecoveryServiceProcess}: writes the service's configuration for the
 * servers and runs {@code java -jar lockstep-recovery-service.jar <command> -c FILE} as its own process.</li>
 * <li>{@link dev.lockstep.demo.transfer.Checker}: no branch left in any recover() list, each transfer in all
 * resources or none with balances that add up, each message of a committed transfer delivered exactly once.</li>
 * </ul>
 * They live in the demo's module, which the integration tests depend on, because the demo runs them as a program:
 * before, the demo ran out of the integration tests' {@code target/test-classes}.
 */
package dev.lockstep.demo.transfer;
