/**
 * Lockstep in Micrometer: {@link dev.lockstep.metrics.LockstepMeterBinder} turns the core's transaction and recovery
 * events into meters and observations. docs/operations.md ("Events and metrics") lists every meter.
 */
package dev.lockstep.metrics;
