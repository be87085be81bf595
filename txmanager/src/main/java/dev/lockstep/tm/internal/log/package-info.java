/**
 * The decision log writer: storage seam, group commit, segment rolls, reclamation, locks and incarnations. Only the
 * transaction manager uses it; the record format it writes lives in {@link dev.lockstep.tm.log}.
 */
package dev.lockstep.tm.internal.log;
