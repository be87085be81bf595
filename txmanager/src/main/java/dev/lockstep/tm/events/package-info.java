/**
 * What happens to each transaction and branch, as events for monitoring: {@link
 * dev.lockstep.tm.events.TransactionListener}, registered with {@code Lockstep.Builder.listener}, is told every
 * {@link dev.lockstep.tm.events.TransactionEvent}. docs/operations.md ("Events and metrics") lists them.
 */
package dev.lockstep.tm.events;
