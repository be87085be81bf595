/**
 * The stable message ids of Lockstep ({@code LKS-nnn}) and the catalogue that owns them: every module keeps its ids
 * in one enum of its own (this package's {@link dev.lockstep.tm.messages.TmMessage} for the core), inside the range
 * {@link dev.lockstep.tm.messages.MessageRange} reserves for it, each with what it means and what to do. Call sites
 * keep their specific text and take the id from the constant, so an id is written once, a test can check that no
 * two conditions share one, and {@code docs/messages.md} is rendered from the enums. Public, and outside
 * {@code internal}, because the other modules and operators' tools print and match these ids.
 */
package dev.lockstep.tm.messages;
