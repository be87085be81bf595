package dev.lockstep.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * The ordered events of one test: the calls made on its {@link ScriptedXAResource}s and whatever else the test adds
 * (a fake decision store's forced writes, say), so that a test asserts the sequence ({@code prepare(r1)}, {@code
 * prepare(r2)}, {@code log COMMIT forced}, {@code commit(r1)} ...) and not only the final status.
 */
public final class Events {
    private final List<String> events = new ArrayList<>();

    public synchronized void add(String event) {
        events.add(event);
    }

    public synchronized List<String> all() {
        return List.copyOf(events);
    }

    public synchronized void clear() {
        events.clear();
    }

    public synchronized boolean contains(String event) {
        return events.contains(event);
    }

    @Override
    public synchronized String toString() {
        return String.join(", ", events);
    }
}
