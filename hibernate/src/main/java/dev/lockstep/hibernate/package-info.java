/**
 * Hibernate ORM integration: {@link dev.lockstep.hibernate.LockstepJtaPlatform}, whose synchronizations go through
 * Lockstep's {@code TransactionSynchronizationRegistry}, and the {@code JtaPlatformProvider} that lets Hibernate find
 * it on the class path.
 */
package dev.lockstep.hibernate;
