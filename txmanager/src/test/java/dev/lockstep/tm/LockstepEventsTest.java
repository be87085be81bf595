package dev.lockstep.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.Events;
import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.tm.events.TransactionEvent;
import dev.lockstep.tm.events.TransactionEvent.DecisionLogged;
import dev.lockstep.tm.events.TransactionEvent.LogForced;
import dev.lockstep.tm.events.TransactionEvent.TransactionCompleted;
import dev.lockstep.tm.events.TransactionEvent.TransactionOutcome;
import dev.lockstep.tm.events.TransactionListener;
import dev.lockstep.tm.internal.coordinator.NamedScriptedXAResource;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.RecoveryListener;
import dev.lockstep.tm.recovery.ScanReport;
import dev.lockstep.tm.spi.RecoverableResource;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listeners registered on the builder, over the real file log: the log's forces are told too. */
class LockstepEventsTest {

    @TempDir
    Path dir;

    /*
     * Scenario: two listeners; a two-phase commit over the file log; then close.
     * Expected: both see the batch force (records, bytes) before the decision is told logged, and the completion;
     * close delivers everything queued, nothing is dropped.
     */
    @Test
    void everyListenerSeesTheForceOfTheDecisionsBatch() throws Exception {
        List<TransactionEvent> first = new ArrayList<>();
        List<TransactionEvent> second = new ArrayList<>();
        Lockstep ls = Lockstep.builder().nodeId("n1").logDirectory(dir)
                .listener(e -> {
                    synchronized (first) {
                        first.add(e);
                    }
                })
                .listener(e -> {
                    synchronized (second) {
                        second.add(e);
                    }
                })
                .build();
        try (ls) {
            TransactionManager tm = ls.transactionManager();
            Events events = new Events();
            tm.begin();
            tm.getTransaction().enlistResource(new NamedScriptedXAResource("db-a", events));
            tm.getTransaction().enlistResource(new NamedScriptedXAResource("db-b", events));
            tm.commit();
        }
        assertEquals(0, ls.droppedEvents());
        synchronized (first) {
            assertEquals(first, second, "every listener sees every event");
            int forced = indexOf(first, LogForced.class);
            int logged = indexOf(first, DecisionLogged.class);
            assertTrue(forced >= 0 && forced < logged, first.toString());
            LogForced f = (LogForced) first.get(forced);
            assertTrue(f.records() >= 1 && f.bytes() > 0 && f.nanos() > 0, f.toString());
            TransactionCompleted done = (TransactionCompleted) first.stream()
                    .filter(TransactionCompleted.class::isInstance).findFirst().orElseThrow();
            assertEquals(TransactionOutcome.COMMITTED, done.outcome());
            assertTrue(done.completionNanos() > 0 && done.totalNanos() >= done.completionNanos(), done.toString());
        }
    }

    /** Without a listener there is no event thread, and nothing to drop. */
    @Test
    void withoutListenersNoEventThreadRuns() throws Exception {
        try (Lockstep ls = Lockstep.builder().nodeId("quiet").logDirectory(dir).build()) {
            ls.transactionManager().begin();
            ls.transactionManager().commit();
            assertEquals(0, ls.droppedEvents());
            assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals("lockstep-events-quiet")));
        }
        try (Lockstep ls = Lockstep.builder().nodeId("loud").logDirectory(dir).listener(e -> { }).build()) {
            assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().equals("lockstep-events-loud")), "the check above can see the thread");
        }
    }

    /** As a metrics binder is: one object told of the transactions and of the in-process recovery. */
    static final class BothListener implements TransactionListener, RecoveryListener {
        final List<String> told = new ArrayList<>();

        @Override
        public void onEvent(TransactionEvent event) {
        }

        @Override
        public synchronized void onAction(RecoveryAction action) {
            told.add(action.kind() + " " + action.resource());
        }

        @Override
        public synchronized void scanStarted(Instant at) {
            told.add("scan started");
        }

        @Override
        public synchronized void scanFinished(ScanReport report) {
            told.add("scan finished");
        }
    }

    @Test
    void aListenerThatIsAlsoARecoveryListenerHearsTheInProcessRecovery() throws Exception {
        BothListener both = new BothListener();
        try (Lockstep ls = Lockstep.builder().nodeId("rec").logDirectory(dir).listener(both).build()) {
            ScriptedXAResource rm = new ScriptedXAResource("db-a");
            ls.registerResource(new RecoverableResource() {
                @Override
                public String name() {
                    return "db-a";
                }

                @Override
                public RecoveryConnection connect() {
                    return new RecoveryConnection() {
                        @Override
                        public XAResource xaResource() {
                            return rm;
                        }

                        @Override
                        public void close() {
                        }
                    };
                }
            });
            assertTrue(ls.recoverNow().isPresent(), "in-process recovery is on by default");
        }
        synchronized (both) {
            assertEquals(List.of("scan started", "RECOVER_SCAN db-a", "scan finished"), both.told);
        }
    }

    @Test
    void aNullListenerIsRefusedAtOnce() {
        var e = assertThrows(NullPointerException.class, () -> Lockstep.builder().listener(null));
        assertEquals("listener", e.getMessage());
    }

    private static int indexOf(List<TransactionEvent> events, Class<?> type) {
        for (int i = 0; i < events.size(); i++) {
            if (type.isInstance(events.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
