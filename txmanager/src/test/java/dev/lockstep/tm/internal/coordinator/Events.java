package dev.lockstep.tm.internal.coordinator;

import java.util.ArrayList;
import java.util.List;

/** The ordered calls made on scripted resources and the fake decision store of one test. */
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
