/**
 * JNDI: {@link dev.lockstep.tm.jndi.LockstepObjectFactory}, which a container such as Tomcat calls to create Lockstep
 * from a {@code context.xml} declaration, and {@link dev.lockstep.tm.jndi.LockstepJndi}, which binds an application's
 * Lockstep at the names containers and Spring look up.
 */
package dev.lockstep.tm.jndi;
