/**
 * Lockstep's settings, each described once: name, property key, unit, default, bounds and check
 * ({@link dev.lockstep.tm.settings.Setting}), the table of them ({@link dev.lockstep.tm.settings.Settings}), and
 * the one syntax of durations written as text ({@link dev.lockstep.tm.settings.DurationSyntax}). The builder, the
 * JNDI factory, the Spring Boot starter, the recovery service and the README's tables all read this one
 * description, so a limit cannot be enforced in one place under one name and in another under a different one.
 */
package dev.lockstep.tm.settings;
