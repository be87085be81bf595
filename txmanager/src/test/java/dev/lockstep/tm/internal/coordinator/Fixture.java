package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.testkit.Events;
import dev.lockstep.testkit.MutableClock;
import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.tm.internal.xa.XidFactory;
import dev.lockstep.tm.spi.CrashPoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A coordinator over a fake decision store and a hand-moved clock; phases sequential unless asked. */
final class Fixture implements AutoCloseable {
    final Events events = new Events();
    final FakeDecisionStore store = new FakeDecisionStore(events);
    final MutableClock clock = new MutableClock(1_700_000_000_000L);
    final Coordinator coordinator;
    final LockstepTransactionManager tm;
    final List<CrashPoint> crashPoints = new ArrayList<>();

    Fixture() {
        this(false);
    }

    Fixture(boolean parallel) {
        this(parallel, null);
    }

    /** Publishing the coordinator's events to {@code dispatcher}, which the caller closes. */
    Fixture(boolean parallel, dev.lockstep.tm.internal.events.EventDispatcher dispatcher) {
        CoordinatorSettings settings = new CoordinatorSettings(Duration.ofSeconds(60), parallel,
                Duration.ofMillis(10), Duration.ofMillis(40));
        coordinator = new Coordinator(settings, store, new XidFactory("test-node", 7), clock, clock::nanoTime,
                new ResourceRegistry(), 4, p -> {
                    synchronized (crashPoints) {
                        crashPoints.add(p);
                    }
                }, dispatcher);
        tm = coordinator.transactionManager();
    }

    NamedScriptedXAResource resource(String name) {
        return new NamedScriptedXAResource(name, events);
    }

    /** Waits until the background retrier has nothing left, at most 10 s. */
    void awaitRetriesDone() throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (coordinator.retrier().pendingBranches() > 0 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        if (coordinator.retrier().pendingBranches() > 0) {
            throw new AssertionError("retries still pending after 10 s: " + events);
        }
    }

    @Override
    public void close() {
        coordinator.close();
    }
}
