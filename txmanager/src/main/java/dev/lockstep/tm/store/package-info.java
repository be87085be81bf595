/**
 * Where a transaction manager keeps its decisions besides the default file log: {@link
 * dev.lockstep.tm.store.PostgresDecisionStore}, decisions in PostgreSQL with leases and fencing (docs/cluster.md).
 */
package dev.lockstep.tm.store;
