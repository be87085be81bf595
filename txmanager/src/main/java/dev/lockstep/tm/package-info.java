/**
 * Lockstep's public API: {@link dev.lockstep.tm.Lockstep}, its builder, and the JTA objects it hands out.
 */
package dev.lockstep.tm;
