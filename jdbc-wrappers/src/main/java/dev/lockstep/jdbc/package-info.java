/**
 * Pooled, auto-enlisting XA DataSources for Lockstep on Agroal: {@link dev.lockstep.jdbc.LockstepDataSources} builds
 * them, {@link dev.lockstep.jdbc.LockstepTransactionIntegration} is the pool's seam to the transaction manager.
 * Only {@code dev.lockstep.tm} and {@code dev.lockstep.tm.spi} of the core are used.
 */
package dev.lockstep.jdbc;
