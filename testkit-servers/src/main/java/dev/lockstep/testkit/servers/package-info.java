/**
 * For tests only, never for production: private PostgreSQL, MariaDB and ActiveMQ Artemis servers that a test JVM
 * starts under {@code target/servers/} on free ports, kills with {@code kill -9} and restarts on the same data
 * (docs/design.md section 5). {@link dev.lockstep.testkit.servers.Servers} shares them across the test classes of
 * one JVM; {@link dev.lockstep.testkit.servers.Leftovers} kills what a crashed earlier run left behind. The
 * database binaries come from the operating system's packages ({@code scripts/prerequisites.sh} installs them).
 *
 * <p>The integration tests, the benchmarks and the demo use it; it depends on nothing of Lockstep.
 */
package dev.lockstep.testkit.servers;
