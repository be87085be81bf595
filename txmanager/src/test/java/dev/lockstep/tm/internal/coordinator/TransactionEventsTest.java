package dev.lockstep.tm.internal.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.ScriptedXAResource.Verb;
import dev.lockstep.tm.events.TransactionEvent;
import dev.lockstep.tm.events.TransactionEvent.BranchCallStarted;
import dev.lockstep.tm.events.TransactionEvent.BranchEnlisted;
import dev.lockstep.tm.events.TransactionEvent.BranchFinished;
import dev.lockstep.tm.events.TransactionEvent.BranchRetried;
import dev.lockstep.tm.events.TransactionEvent.CompletionStarted;
import dev.lockstep.tm.events.TransactionEvent.DecisionLogged;
import dev.lockstep.tm.events.TransactionEvent.HeuristicReported;
import dev.lockstep.tm.events.TransactionEvent.LogForced;
import dev.lockstep.tm.events.TransactionEvent.PrepareVoted;
import dev.lockstep.tm.events.TransactionEvent.TransactionBegun;
import dev.lockstep.tm.events.TransactionEvent.TransactionCompleted;
import dev.lockstep.tm.events.TransactionEvent.TransactionTimedOut;
import dev.lockstep.tm.events.TransactionListener;
import dev.lockstep.tm.internal.events.EventDispatcher;
import dev.lockstep.tm.messages.TmMessage;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;

/**
 * The events a {@link TransactionListener} is told, in order, for each way a transaction completes; and that a listener
 * that throws or blocks changes neither the outcome nor the time of a commit (the contract of TransactionListener).
 */
class TransactionEventsTest {

    private static final long WAIT = TimeUnit.SECONDS.toNanos(5);

    /** Remembers every event; {@link #lines()} renders them for comparison. */
    static final class Recorder implements TransactionListener {
        final List<TransactionEvent> events = new ArrayList<>();

        @Override
        public synchronized void onEvent(TransactionEvent e) {
            events.add(e);
        }

        synchronized List<TransactionEvent> all() {
            return List.copyOf(events);
        }

        synchronized List<String> lines() {
            return events.stream().map(TransactionEventsTest::line).toList();
        }

        synchronized void clear() {
            events.clear();
        }
    }

    static String line(TransactionEvent e) {
        if (e instanceof TransactionBegun x) {
            return "begun " + x.timeoutSeconds() + " s";
        } else if (e instanceof BranchEnlisted x) {
            return "enlisted " + x.resource() + " b" + x.branch();
        } else if (e instanceof CompletionStarted x) {
            return "completing " + x.cause() + " " + x.branches();
        } else if (e instanceof BranchCallStarted x) {
            return "call " + x.call() + " " + x.resource();
        } else if (e instanceof PrepareVoted x) {
            return "voted " + x.resource() + " " + x.vote();
        } else if (e instanceof DecisionLogged x) {
            return "logged " + x.branches();
        } else if (e instanceof LogForced) {
            return "forced";
        } else if (e instanceof BranchFinished x) {
            return "finished " + x.call() + " " + x.resource() + " " + x.result();
        } else if (e instanceof BranchRetried x) {
            return "retried " + x.call() + " " + x.resource() + " #" + x.attempt() + " " + x.result();
        } else if (e instanceof TransactionTimedOut x) {
            return "timed out " + x.timeoutSeconds() + " s";
        } else if (e instanceof HeuristicReported x) {
            return "heuristic " + x.resource() + " " + x.kind() + (x.recorded() ? "" : " not recorded");
        } else if (e instanceof TransactionCompleted x) {
            return "completed " + x.outcome() + " by " + x.cause();
        }
        throw new AssertionError("an event this test does not know: " + e);
    }

    private static EventDispatcher dispatcher(TransactionListener... listeners) {
        return new EventDispatcher(List.of(listeners), EventDispatcher.DEFAULT_CAPACITY, "test-events");
    }

    private static void delivered(EventDispatcher d) {
        assertTrue(d.awaitDelivered(WAIT), "events not delivered within 5 s");
    }

    @Test
    void twoPhaseCommit() throws Exception {
        Recorder rec = new Recorder();
        try (EventDispatcher d = dispatcher(rec); Fixture f = new Fixture(false, d)) {
            // Each call advances the test clock, so every duration is known exactly.
            var r1 = f.resource("r1").hook((verb, xid) -> f.clock.advance(Duration.ofMillis(
                    verb == Verb.PREPARE ? 3 : verb == Verb.COMMIT ? 5 : 0)));
            f.tm.begin();
            f.clock.advance(Duration.ofMillis(100));
            f.tm.getTransaction().enlistResource(r1);
            f.tm.getTransaction().enlistResource(f.resource("r2"));
            f.tm.commit();
            delivered(d);
            assertEquals(List.of("begun 60 s", "enlisted r1 b1", "enlisted r2 b2", "completing COMMIT 2",
                    "call PREPARE r1", "call PREPARE r2", "voted r1 PREPARED", "voted r2 PREPARED", "logged 2",
                    "call COMMIT r1", "call COMMIT r2", "finished COMMIT r1 DONE", "finished COMMIT r2 DONE",
                    "completed COMMITTED by COMMIT"), rec.lines());

            List<TransactionEvent> all = rec.all();
            TransactionBegun begun = (TransactionBegun) all.get(0);
            assertEquals(HexFormat.of().formatHex(f.store.commits.get(0).gtrid()), begun.gtrid());
            for (TransactionEvent e : all) {
                assertEquals(begun.txId(), txId(e), "one transaction, one id: " + e);
            }
            assertEquals(TimeUnit.MILLISECONDS.toNanos(3), ((PrepareVoted) all.get(6)).nanos());
            assertEquals(0, ((PrepareVoted) all.get(7)).nanos());
            assertEquals(TimeUnit.MILLISECONDS.toNanos(5), ((BranchFinished) all.get(11)).nanos());
            TransactionCompleted done = (TransactionCompleted) all.get(13);
            assertEquals(2, done.branches());
            assertEquals(TimeUnit.MILLISECONDS.toNanos(8), done.completionNanos());
            assertEquals(TimeUnit.MILLISECONDS.toNanos(108), done.totalNanos());
        }
    }

    @Test
    void onePhaseCommit() throws Exception {
        Recorder rec = new Recorder();
        try (EventDispatcher d = dispatcher(rec); Fixture f = new Fixture(false, d)) {
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1"));
            f.tm.commit();
            delivered(d);
            assertEquals(List.of("begun 60 s", "enlisted r1 b1", "completing COMMIT 1",
                    "call ONE_PHASE_COMMIT r1", "finished ONE_PHASE_COMMIT r1 DONE", "completed COMMITTED by COMMIT"),
                    rec.lines());
        }
    }

    @Test
    void rollback() throws Exception {
        Recorder rec = new Recorder();
        try (EventDispatcher d = dispatcher(rec); Fixture f = new Fixture(false, d)) {
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1"));
            f.tm.getTransaction().enlistResource(f.resource("r2"));
            f.tm.rollback();
            delivered(d);
            assertEquals(List.of("begun 60 s", "enlisted r1 b1", "enlisted r2 b2", "completing ROLLBACK 2",
                    "call ROLLBACK r1", "call ROLLBACK r2", "finished ROLLBACK r1 DONE", "finished ROLLBACK r2 DONE",
                    "completed ROLLED_BACK by ROLLBACK"), rec.lines());
        }
    }

    @Test
    void prepareVeto() throws Exception {
        Recorder rec = new Recorder();
        try (EventDispatcher d = dispatcher(rec); Fixture f = new Fixture(false, d)) {
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1"));
            f.tm.getTransaction().enlistResource(f.resource("r2").failOn(Verb.PREPARE, XAException.XA_RBROLLBACK));
            assertThrows(RollbackException.class, f.tm::commit);
            delivered(d);
            assertEquals(List.of("begun 60 s", "enlisted r1 b1", "enlisted r2 b2", "completing COMMIT 2",
                    "call PREPARE r1", "call PREPARE r2", "voted r1 PREPARED", "voted r2 ROLLED_BACK",
                    "call ROLLBACK r1", "finished ROLLBACK r1 DONE", "completed ROLLED_BACK by COMMIT"), rec.lines());
        }
    }

    @Test
    void timeout() throws Exception {
        Recorder rec = new Recorder();
        try (EventDispatcher d = dispatcher(rec); Fixture f = new Fixture(false, d)) {
            f.tm.setTransactionTimeout(5);
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1"));
            f.tm.getTransaction().enlistResource(f.resource("r2"));
            f.clock.advance(Duration.ofMillis(5001));
            assertEquals(1, f.coordinator.timeOutExpired(Runnable::run));
            assertThrows(RollbackException.class, f.tm::commit); // tells nothing more: the reaper completed it
            delivered(d);
            assertEquals(List.of("begun 5 s", "enlisted r1 b1", "enlisted r2 b2", "timed out 5 s",
                    "completing TIMEOUT 2", "call ROLLBACK r1", "call ROLLBACK r2", "finished ROLLBACK r1 DONE",
                    "finished ROLLBACK r2 DONE", "completed ROLLED_BACK by TIMEOUT"), rec.lines());
        }
    }

    @Test
    void heuristic() throws Exception {
        Recorder rec = new Recorder();
        try (EventDispatcher d = dispatcher(rec); Fixture f = new Fixture(false, d)) {
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1").failOn(Verb.COMMIT, XAException.XA_HEURRB));
            f.tm.getTransaction().enlistResource(f.resource("r2").failOn(Verb.COMMIT, XAException.XA_HEURRB));
            assertThrows(HeuristicRollbackException.class, f.tm::commit);
            delivered(d);
            assertEquals(List.of("begun 60 s", "enlisted r1 b1", "enlisted r2 b2", "completing COMMIT 2",
                    "call PREPARE r1", "call PREPARE r2", "voted r1 PREPARED", "voted r2 PREPARED", "logged 2",
                    "call COMMIT r1", "call COMMIT r2", "finished COMMIT r1 HEURISTIC",
                    "finished COMMIT r2 HEURISTIC", "heuristic r1 ROLLBACK", "heuristic r2 ROLLBACK",
                    "completed HEURISTIC by COMMIT"), rec.lines());
        }
    }

    @Test
    void heuristicThatCannotBeRecordedSaysSo() throws Exception {
        Recorder rec = new Recorder();
        try (EventDispatcher d = dispatcher(rec); Fixture f = new Fixture(false, d)) {
            f.store.failHeuristic = true;
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1").failOn(Verb.COMMIT, XAException.XA_HEURMIX));
            assertThrows(jakarta.transaction.HeuristicMixedException.class, f.tm::commit);
            delivered(d);
            assertTrue(rec.lines().contains("heuristic r1 MIXED not recorded"), rec.lines().toString());
            assertEquals("completed HEURISTIC by COMMIT", rec.lines().get(rec.lines().size() - 1));
        }
    }

    @Test
    void backgroundRetry() throws Exception {
        Recorder rec = new Recorder();
        try (EventDispatcher d = dispatcher(rec); Fixture f = new Fixture(false, d)) {
            f.tm.begin();
            f.tm.getTransaction().enlistResource(f.resource("r1"));
            f.tm.getTransaction().enlistResource(f.resource("r2").failOn(Verb.COMMIT, XAException.XAER_RMFAIL, 2));
            f.tm.commit();
            f.awaitRetriesDone();
            delivered(d);
            // The retrier runs on its own thread: its events follow the first attempt's, and usually the completion.
            assertEquals(List.of("begun 60 s", "enlisted r1 b1", "enlisted r2 b2", "completing COMMIT 2",
                    "call PREPARE r1", "call PREPARE r2", "voted r1 PREPARED", "voted r2 PREPARED", "logged 2",
                    "call COMMIT r1", "call COMMIT r2", "finished COMMIT r1 DONE", "finished COMMIT r2 RETRY",
                    "completed COMMITTED by COMMIT"),
                    rec.lines().stream().filter(l -> !l.startsWith("retried")).toList());
            assertEquals(List.of("retried COMMIT r2 #1 RETRY", "retried COMMIT r2 #2 DONE"),
                    rec.lines().stream().filter(l -> l.startsWith("retried")).toList());
            assertTrue(rec.lines().indexOf("retried COMMIT r2 #1 RETRY")
                    > rec.lines().indexOf("finished COMMIT r2 RETRY"), rec.lines().toString());
        }
    }

    /*
     * Scenario: the first listener throws on every event; a second one records.
     * Expected: the commit's outcome is the same, the second listener sees every event, and the failure is logged
     * once (TmMessage.LISTENER_FAILED), not once per event. Without the isolation the event thread would die at the
     * first exception and the second listener would see nothing.
     */
    @Test
    void aThrowingListenerChangesNothing() throws Exception {
        Recorder rec = new Recorder();
        TransactionListener throwing = e -> {
            throw new IllegalStateException("listener bug");
        };
        List<LogRecord> logged = new ArrayList<>();
        Logger jul = Logger.getLogger("dev.lockstep.tm.events");
        Level before = jul.getLevel();
        Handler handler = new Handler() {
            @Override
            public synchronized void publish(LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.setLevel(Level.ALL);
        jul.setUseParentHandlers(false);
        jul.addHandler(handler);
        try (EventDispatcher d = dispatcher(throwing, rec); Fixture f = new Fixture(false, d)) {
            for (int i = 0; i < 3; i++) {
                f.tm.begin();
                f.tm.getTransaction().enlistResource(f.resource("r1"));
                f.tm.getTransaction().enlistResource(f.resource("r2"));
                f.tm.commit();
            }
            delivered(d);
            assertEquals(3, f.coordinator.metrics().committed.sum());
            assertEquals(3 * 14, rec.lines().size(), rec.lines().toString());
            assertEquals(3, rec.lines().stream().filter("completed COMMITTED by COMMIT"::equals).count());
            synchronized (handler) {
                assertEquals(1, logged.stream()
                        .filter(r -> r.getMessage().startsWith(TmMessage.LISTENER_FAILED.toString())).count(),
                        "logged once per listener");
            }
        } finally {
            jul.removeHandler(handler);
            jul.setUseParentHandlers(true);
            jul.setLevel(before);
        }
    }

    /*
     * Scenario: a listener blocks on its first event until the test lets it go; the queue holds 8 events; 50
     * two-phase commits (14 events each) run meanwhile.
     * Expected: every commit completes within the time limit, committed; the events that did not fit are dropped and
     * counted; once the listener is let go it receives what was not dropped. Called on the committing thread, the
     * listener would have stalled the first commit until the time limit failed the test.
     */
    @Test
    void aBlockingListenerNeverStallsACommit() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Recorder rec = new Recorder();
        TransactionListener blocking = e -> {
            try {
                release.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            rec.onEvent(e);
        };
        try (EventDispatcher d = new EventDispatcher(List.of(blocking), 8, "test-events");
                Fixture f = new Fixture(false, d)) {
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                    for (int i = 0; i < 50; i++) {
                        f.tm.begin();
                        f.tm.getTransaction().enlistResource(f.resource("r1"));
                        f.tm.getTransaction().enlistResource(f.resource("r2"));
                        f.tm.commit();
                    }
                }, "50 commits beside a blocked listener");
            } finally {
                release.countDown(); // a failed run leaves no thread blocked behind it
            }
            assertEquals(50, f.coordinator.metrics().committed.sum());
            long dropped = d.dropped();
            // The listener holds one event; the queue 8 more; every other event was dropped.
            assertTrue(dropped >= 50 * 14 - 9, "dropped " + dropped);
            delivered(d);
            assertEquals(50 * 14 - dropped, rec.lines().size(), "every event not dropped arrives");
        }
    }

    private static long txId(TransactionEvent e) {
        if (e instanceof TransactionBegun x) {
            return x.txId();
        } else if (e instanceof BranchEnlisted x) {
            return x.txId();
        } else if (e instanceof CompletionStarted x) {
            return x.txId();
        } else if (e instanceof BranchCallStarted x) {
            return x.txId();
        } else if (e instanceof PrepareVoted x) {
            return x.txId();
        } else if (e instanceof DecisionLogged x) {
            return x.txId();
        } else if (e instanceof BranchFinished x) {
            return x.txId();
        } else if (e instanceof TransactionCompleted x) {
            return x.txId();
        }
        throw new AssertionError("not checked here: " + e);
    }
}
