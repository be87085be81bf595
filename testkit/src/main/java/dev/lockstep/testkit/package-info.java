/**
 * For tests only, never for production: the fakes that every module's tests share. A {@link
 * dev.lockstep.testkit.ScriptedXAResource} records each XA call in an {@link dev.lockstep.testkit.Events} log and
 * fails on command; a {@link dev.lockstep.testkit.FakeResourceManager} keeps prepared branches across connections
 * like a database and answers {@code recover()}; a {@link dev.lockstep.testkit.MutableClock} is moved by hand; {@link
 * dev.lockstep.testkit.TestXids} are shaped like Lockstep's.
 *
 * <p>Nothing here depends on Lockstep (the kit is on lockstep-txmanager's own test class path, so a dependency back
 * would be a cycle): where a test needs a Lockstep interface, such as {@code NamedXAResource} or {@code
 * RecoverableResource}, a small adapter in that test's module adds it.
 */
package dev.lockstep.testkit;
