package dev.lockstep.tm.internal.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.ScriptedXAResource.Verb;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.Test;

class JtaContractTest {

    @Test
    void threadAssociationAndNestedBeginRefused() throws Exception {
        try (Fixture f = new Fixture()) {
            assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
            assertNull(f.tm.getTransaction());
            assertThrows(IllegalStateException.class, f.tm::commit);
            assertThrows(IllegalStateException.class, f.tm::rollback);
            assertThrows(IllegalStateException.class, f.tm::setRollbackOnly);
            f.tm.begin();
            assertEquals(Status.STATUS_ACTIVE, f.tm.getStatus());
            var e = assertThrows(NotSupportedException.class, f.tm::begin);
            assertTrue(e.getMessage().contains("nested"), e.getMessage());
            AtomicReference<Transaction> other = new AtomicReference<>();
            Thread t = new Thread(() -> other.set(f.tm.getTransaction()));
            t.start();
            t.join();
            assertNull(other.get(), "the association is per thread");
            f.tm.commit();
            assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
        }
    }

    @Test
    void suspendAndResumeAcrossThreads() throws Exception {
        try (Fixture f = new Fixture()) {
            var r1 = f.resource("r1");
            f.tm.begin();
            f.tm.getTransaction().enlistResource(r1);
            Transaction tx = f.tm.suspend();
            assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
            f.tm.begin(); // a new, independent transaction on this thread
            f.tm.rollback();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    f.tm.resume(tx);
                    assertSame(tx, f.tm.getTransaction());
                    f.tm.commit();
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.start();
            t.join();
            assertNull(failure.get());
            assertEquals(Status.STATUS_COMMITTED, tx.getStatus());
            assertThrows(InvalidTransactionException.class, () -> f.tm.resume(tx), "completed transaction");
            assertThrows(InvalidTransactionException.class, () -> f.tm.resume(null));
            f.tm.begin();
            Transaction current = f.tm.getTransaction();
            Transaction suspended;
            f.tm.suspend();
            f.tm.begin();
            suspended = current;
            assertThrows(IllegalStateException.class, () -> f.tm.resume(suspended), "thread already has one");
            f.tm.rollback();
            f.tm.resume(suspended);
            f.tm.rollback();
        }
    }

    @Test
    void setRollbackOnlyMakesCommitRollBack() throws Exception {
        try (Fixture f = new Fixture()) {
            var r1 = f.resource("r1");
            f.tm.begin();
            f.tm.getTransaction().enlistResource(r1);
            f.tm.setRollbackOnly();
            assertEquals(Status.STATUS_MARKED_ROLLBACK, f.tm.getStatus());
            assertThrows(RollbackException.class, () -> f.tm.getTransaction().enlistResource(f.resource("r2")));
            assertThrows(RollbackException.class, () -> f.tm.getTransaction().registerSynchronization(sync(null)));
            var e = assertThrows(RollbackException.class, f.tm::commit);
            assertTrue(e.getMessage().contains("rollback-only"), e.getMessage());
            assertEquals(List.of("start(r1)", "end(r1)", "rollback(r1)"), f.events.all());
            assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
        }
    }

    @Test
    void statusInEveryState() throws Exception {
        try (Fixture f = new Fixture()) {
            List<String> seen = new ArrayList<>();
            CountDownLatch release = new CountDownLatch(1);
            var r1 = f.resource("r1").blockCommit(release);
            f.tm.begin();
            LockstepTransaction tx = f.tm.getTransaction();
            tx.enlistResource(r1);
            tx.enlistResource(f.resource("r2").prepareDelay(0));
            tx.registerSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                    seen.add("before:" + TxState.statusName(tx.getStatus()));
                }

                @Override
                public void afterCompletion(int status) {
                    seen.add("after:" + TxState.statusName(status) + "/" + TxState.statusName(tx.getStatus()));
                }
            });
            Thread t = new Thread(() -> {
                try {
                    tx.commit();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            t.start();
            long end = System.nanoTime() + 5_000_000_000L;
            while (tx.getStatus() != Status.STATUS_COMMITTING && System.nanoTime() < end) {
                Thread.sleep(1);
            }
            assertEquals(Status.STATUS_COMMITTING, tx.getStatus());
            release.countDown();
            t.join();
            assertEquals(List.of("before:STATUS_ACTIVE", "after:STATUS_COMMITTED/STATUS_COMMITTED"), seen);

            f.tm.begin();
            Transaction rb = f.tm.getTransaction();
            f.tm.rollback();
            assertEquals(Status.STATUS_ROLLEDBACK, rb.getStatus());
        }
    }

    @Test
    void synchronizationOrderRegularBeforeInterposedThenInterposedAfterFirst() throws Exception {
        try (Fixture f = new Fixture()) {
            List<String> order = new ArrayList<>();
            f.tm.begin();
            LockstepTransaction tx = f.tm.getTransaction();
            tx.enlistResource(f.resource("r1"));
            tx.registerInterposedSynchronization(sync(order, "i1"));
            tx.registerSynchronization(sync(order, "s1"));
            tx.registerInterposedSynchronization(sync(order, "i2"));
            tx.registerSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                    order.add("before:s2");
                    // registering during beforeCompletion is allowed, and the new one runs too
                    try {
                        tx.registerSynchronization(sync(order, "s3"));
                    } catch (RollbackException e) {
                        throw new RuntimeException(e);
                    }
                }

                @Override
                public void afterCompletion(int status) {
                    order.add("after:s2");
                }
            });
            f.tm.commit();
            assertEquals(List.of("before:s1", "before:s2", "before:s3", "before:i1", "before:i2",
                    "after:i1", "after:i2", "after:s1", "after:s2", "after:s3"), order);
            assertThrows(IllegalStateException.class, () -> tx.registerSynchronization(sync(null)));
        }
    }

    @Test
    void failingBeforeCompletionRollsBack() throws Exception {
        try (Fixture f = new Fixture()) {
            List<Integer> after = new ArrayList<>();
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1"));
            f.tm.getTransaction().enlistResource(f.resource("r2"));
            f.tm.getTransaction().registerSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                    throw new IllegalStateException("flush failed");
                }

                @Override
                public void afterCompletion(int status) {
                    after.add(status);
                }
            });
            var e = assertThrows(RollbackException.class, f.tm::commit);
            assertEquals("flush failed", e.getCause().getMessage());
            assertEquals(List.of(Status.STATUS_ROLLEDBACK), after);
            assertEquals(List.of("start(r1)", "start(r2)", "end(r1)", "end(r2)", "rollback(r1)", "rollback(r2)"),
                    f.events.all());
        }
    }

    @Test
    void transactionTimeoutPerThreadAndZeroRestoresDefault() throws Exception {
        try (Fixture f = new Fixture()) {
            f.tm.setTransactionTimeout(5);
            f.tm.begin();
            assertEquals(5, f.tm.getTransaction().timeoutSeconds);
            f.tm.rollback();
            Thread t = new Thread(() -> {
                try {
                    f.tm.begin();
                    assertEquals(60, f.tm.getTransaction().timeoutSeconds, "other threads keep the default");
                    f.tm.rollback();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            t.start();
            t.join();
            f.tm.setTransactionTimeout(0);
            f.tm.begin();
            assertEquals(60, f.tm.getTransaction().timeoutSeconds);
            f.tm.rollback();
            assertThrows(SystemException.class, () -> f.tm.setTransactionTimeout(-1));
        }
    }

    @Test
    void delistWithSuccessSuspendAndFail() throws Exception {
        try (Fixture f = new Fixture()) {
            var r1 = f.resource("r1");
            var r2 = f.resource("r2");
            f.tm.begin();
            Transaction tx = f.tm.getTransaction();
            assertTrue(tx.enlistResource(r1));
            assertTrue(tx.enlistResource(r1), "enlisting the same resource again is a no-op");
            assertTrue(tx.delistResource(r1, XAResource.TMSUSPEND));
            assertTrue(tx.enlistResource(r1));
            assertTrue(tx.delistResource(r1, XAResource.TMSUCCESS));
            assertTrue(tx.enlistResource(r1));
            assertFalse(tx.delistResource(r2, XAResource.TMSUCCESS), "not enlisted");
            tx.enlistResource(r2);
            f.tm.commit();
            assertEquals(List.of("start(r1)", "end(r1,suspend)", "start(r1,resume)", "end(r1)", "start(r1,join)",
                    "start(r2)", "end(r1)", "end(r2)", "prepare(r1)", "prepare(r2)", "log COMMIT forced",
                    "commit(r1)", "commit(r2)", "log END"), f.events.all());

            f.events.clear();
            f.tm.begin();
            tx = f.tm.getTransaction();
            tx.enlistResource(r1);
            tx.delistResource(r1, XAResource.TMFAIL);
            assertEquals(Status.STATUS_MARKED_ROLLBACK, tx.getStatus());
            assertThrows(RollbackException.class, f.tm::commit);
            assertEquals(List.of("start(r1)", "end(r1,fail)", "rollback(r1)"), f.events.all());
            assertThrows(IllegalArgumentException.class, () -> {
                f.tm.begin();
                try {
                    f.tm.getTransaction().delistResource(r1, XAResource.TMJOIN);
                } finally {
                    f.tm.rollback();
                }
            });
        }
    }

    @Test
    void joinOnlyWhereTheResourceDeclaresIt() throws Exception {
        try (Fixture f = new Fixture()) {
            // Same RM, no join declared (PostgreSQL, MariaDB): one branch per resource.
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("db"));
            f.tm.getTransaction().enlistResource(f.resource("db"));
            f.tm.commit();
            assertEquals(2, f.store.commits.get(0).branches().size());

            // Same RM, join declared (Artemis): one branch, started with TMJOIN, ended on both, prepared once.
            f.events.clear();
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("broker").joins(true));
            f.tm.getTransaction().enlistResource(f.resource("broker").joins(true));
            f.tm.commit();
            assertEquals(List.of("start(broker)", "start(broker,join)", "end(broker)", "end(broker)",
                    "commit1p(broker)"), f.events.all());
        }
    }

    @Test
    void rawResourcesEnlistUnderAGivenNameAndDelistByIdentity() throws Exception {
        try (Fixture f = new Fixture()) {
            var raw = f.resource("raw-ignored-name");
            f.tm.begin();
            var tx = f.tm.getTransaction();
            dev.lockstep.tm.spi.Enlistment.enlist(tx, raw, "orders-db", false);
            dev.lockstep.tm.spi.Enlistment.enlist(tx, f.resource("other"), "billing-db", false);
            assertTrue(tx.delistResource(raw, XAResource.TMSUCCESS), "found by identity");
            f.tm.commit();
            assertEquals(List.of("orders-db", "billing-db"),
                    f.store.commits.get(0).branches().stream().map(b -> b.resourceName()).toList());
            f.tm.begin();
            assertThrows(IllegalArgumentException.class,
                    () -> dev.lockstep.tm.spi.Enlistment.enlist(f.tm.getTransaction(), raw, " ", false));
            f.tm.rollback();
        }
    }

    @Test
    void enlistAfterCompletionAndStartFailures() throws Exception {
        try (Fixture f = new Fixture()) {
            f.tm.begin();
            Transaction tx = f.tm.getTransaction();
            f.tm.commit();
            assertThrows(IllegalStateException.class, () -> tx.enlistResource(f.resource("late")));

            f.tm.begin();
            var e = assertThrows(SystemException.class, () -> f.tm.getTransaction()
                    .enlistResource(f.resource("bad").failOn(Verb.START, XAException.XAER_RMFAIL)));
            assertTrue(e.getMessage().contains("XAER_RMFAIL"), e.getMessage());
            assertEquals(Status.STATUS_ACTIVE, f.tm.getStatus(), "a failed start does not doom the transaction");
            assertThrows(RollbackException.class, () -> f.tm.getTransaction()
                    .enlistResource(f.resource("rb").failOn(Verb.START, XAException.XA_RBROLLBACK)));
            assertEquals(Status.STATUS_MARKED_ROLLBACK, f.tm.getStatus());
            f.tm.rollback();
        }
    }

    @Test
    void registryResourcesArePerTransaction() throws Exception {
        try (Fixture f = new Fixture()) {
            var tsr = new LockstepSynchronizationRegistry(f.tm);
            assertNull(tsr.getTransactionKey());
            assertThrows(IllegalStateException.class, () -> tsr.putResource("k", "v"));
            f.tm.begin();
            Object key1 = tsr.getTransactionKey();
            assertNotNull(key1);
            tsr.putResource("k", "v1");
            assertEquals("v1", tsr.getResource("k"));
            assertFalse(tsr.getRollbackOnly());
            Transaction t1 = f.tm.suspend();
            f.tm.begin();
            assertNull(tsr.getResource("k"));
            assertTrue(!key1.equals(tsr.getTransactionKey()));
            tsr.setRollbackOnly();
            assertTrue(tsr.getRollbackOnly());
            assertEquals(Status.STATUS_MARKED_ROLLBACK, tsr.getTransactionStatus());
            f.tm.rollback();
            f.tm.resume(t1);
            assertEquals("v1", tsr.getResource("k"));
            assertThrows(NullPointerException.class, () -> tsr.putResource(null, "x"));
            f.tm.commit();
            assertEquals(Status.STATUS_NO_TRANSACTION, tsr.getTransactionStatus());
        }
    }

    private static Synchronization sync(List<String> order, String name) {
        return new Synchronization() {
            @Override
            public void beforeCompletion() {
                order.add("before:" + name);
            }

            @Override
            public void afterCompletion(int status) {
                order.add("after:" + name);
            }
        };
    }

    private static Synchronization sync(List<String> ignored) {
        return sync(new ArrayList<>(), "x");
    }
}
