package dev.lockstep.recoveryservice;

import com.sun.net.httpserver.HttpExchange;

/**
 * {@code GET /api/events}: the daemon's recovery events as server-sent events ({@code text/event-stream}), from an
 * {@link EventHub}. A client that sends {@code Last-Event-ID} is first replayed what came after that id and is still
 * in the history; without it the stream starts with the next event ({@code Last-Event-ID: 0} asks for the whole
 * history).
 *
 * <p>The query parameter {@code since=<id>} asks for the same replay: a browser's {@code EventSource} cannot send
 * {@code Last-Event-ID} on its first connection, so a page loads {@code /api/in-doubt}, reads the id its {@value
 * InDoubtEndpoint#LAST_EVENT_ID} header gives, and subscribes from the event after it. When both are sent, the header
 * wins: it is what {@code EventSource} sends when it reconnects to the same URL, and it is the newer of the two.
 *
 * <p>Answers 400 ({@link ServiceMessage#HTTP_BAD_REQUEST}) for an id that is not a number, 503 ({@link
 * ServiceMessage#HTTP_EVENTS_UNAVAILABLE}) when the hub has no room for another stream or the daemon is stopping.
 */
final class EventsEndpoint implements StreamEndpoint {

    private final EventHub hub;
    private final int maxClients;

    EventsEndpoint(EventHub hub, int maxClients) {
        this.hub = hub;
        this.maxClients = maxClients;
    }

    @Override
    public HttpReply open(HttpCall call, HttpExchange ex) {
        Long lastEventId;
        try {
            lastEventId = lastEventId(call.headers().getFirst("Last-Event-ID"));
        } catch (NumberFormatException e) {
            return HttpReply.error(400, ServiceMessage.HTTP_BAD_REQUEST, "Last-Event-ID must be the id of an event "
                    + "of this stream (a whole number, 0 for the whole history), or absent to start with the next "
                    + "event");
        }
        if (lastEventId == null) {
            try {
                lastEventId = since(ex.getRequestURI().getRawQuery());
            } catch (NumberFormatException e) {
                // The query is not echoed: only 'since' is read, and anything else there is the client's own.
                return HttpReply.error(400, ServiceMessage.HTTP_BAD_REQUEST, "since must be the id of an event of "
                        + "this stream (a whole number: the " + InDoubtEndpoint.LAST_EVENT_ID + " header of GET "
                        + "/api/in-doubt, 0 for the whole history), given once, or absent to start with the next "
                        + "event");
            }
        }
        if (!hub.subscribe(lastEventId, new ExchangeSink(ex))) {
            return HttpReply.error(503, ServiceMessage.HTTP_EVENTS_UNAVAILABLE, maxClients + " event streams are "
                    + "open (" + HttpSettings.EVENTS_CLIENTS + "), or the daemon is stopping: close one or try "
                    + "again later");
        }
        return null;
    }

    /**
     * The id of the query's {@code since} parameter, or null without one; other parameters are ignored. Refuses a
     * value that is not a whole number, and a second {@code since}.
     */
    static Long since(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        Long since = null;
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (!name.equals("since")) {
                continue;
            }
            if (since != null || eq < 0) {
                throw new NumberFormatException("since given twice, or without a value");
            }
            String value = pair.substring(eq + 1);
            if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new NumberFormatException("not a whole number");
            }
            since = lastEventId(value);
        }
        return since;
    }

    /** The id a client last saw, or null; negative ids are refused as well. */
    static Long lastEventId(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        long id = Long.parseLong(header.trim());
        if (id < 0) {
            throw new NumberFormatException("negative: " + id);
        }
        return id;
    }
}
