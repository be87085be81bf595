package dev.lockstep.recoveryservice;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The last events of the daemon, so that a client of {@code /api/events} that reconnects with {@code Last-Event-ID}
 * gets what it missed. It numbers the events (from 1) and keeps the newest {@code capacity} of them; what a client
 * asks for past them is reported as a gap rather than silently skipped. Not thread-safe: {@link EventHub} holds it
 * under its lock.
 */
final class EventHistory {

    /**
     * What a reconnecting client is sent before the live events.
     *
     * @param gap true if the client asked for events the history no longer holds (or ids of another run of the
     *     daemon): it must assume it missed some
     * @param oldest the id of the oldest event still held, or 0 when none is
     * @param events the events after the client's id that are still held, oldest first (all of them after a gap)
     */
    record Replay(boolean gap, long oldest, List<FeedEvent> events) {
    }

    private final int capacity;
    private final ArrayDeque<FeedEvent> events;
    private long lastId;

    EventHistory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("an event history holds at least one event, got " + capacity);
        }
        this.capacity = capacity;
        this.events = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /** Numbers a new event and keeps it, dropping the oldest one when full. */
    FeedEvent append(String type, String json) {
        FeedEvent e = new FeedEvent(++lastId, type, json);
        if (events.size() == capacity) {
            events.removeFirst();
        }
        events.addLast(e);
        return e;
    }

    /**
     * What a client that last saw {@code lastEventId} is missing. An id older than the history holds is a gap (with
     * everything held); so is an id newer than any event: it belongs to an earlier run of the daemon, whose ids
     * started again at 1.
     */
    Replay after(long lastEventId) {
        long oldest = events.isEmpty() ? 0 : events.getFirst().id();
        boolean tooOld = lastEventId < oldest - 1;
        boolean fromAnotherRun = lastEventId > lastId;
        if (tooOld || fromAnotherRun) {
            return new Replay(true, oldest, List.copyOf(events));
        }
        return new Replay(false, oldest, events.stream().filter(e -> e.id() > lastEventId).toList());
    }

    /** The id of the newest event, 0 before the first. */
    long lastId() {
        return lastId;
    }
}
