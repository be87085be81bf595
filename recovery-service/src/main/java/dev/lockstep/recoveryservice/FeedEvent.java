package dev.lockstep.recoveryservice;

import java.util.Objects;

/**
 * One recovery event as {@code GET /api/events} sends it.
 *
 * @param id its place in the daemon's sequence, from 1, increasing by one per event; ids restart with the daemon
 * @param type the SSE event type ({@code scan_started}, {@code scan_finished}, or an action's kind in lower case)
 * @param json the event's data, one JSON object
 */
record FeedEvent(long id, String type, String json) {

    FeedEvent {
        if (id < 1) {
            throw new IllegalArgumentException("an event id is at least 1, got " + id);
        }
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(json, "json");
    }
}
