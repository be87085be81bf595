/**
 * The one-command demo of the README ({@code bash scripts/demo.sh}): {@link dev.lockstep.demo.Demo} runs transfers
 * across PostgreSQL, MariaDB and Artemis, kills the application with {@code kill -9} in the middle of phase two, runs
 * the recovery service and prints a report ({@link dev.lockstep.demo.DemoReport}) of what every resource holds.
 *
 * <p>Main sources, not tests, because it is run as a program; the module is not published. The package is {@code
 * dev.lockstep.demo}, no longer {@code dev.lockstep.it.demo}: it left the integration tests, and ArchUnit's
 * boundaries test reads it as production code, so it may use only Lockstep's public and {@code spi} packages, as an
 * application would.
 */
package dev.lockstep.demo;
