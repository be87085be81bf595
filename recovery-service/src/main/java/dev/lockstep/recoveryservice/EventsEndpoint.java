package dev.lockstep.recoveryservice;

import com.sun.net.httpserver.HttpExchange;

/**
 * {@code GET /api/events}: the daemon's recovery events as server-sent events ({@code text/event-stream}), from an
 * {@link EventHub}. A client that sends {@code Last-Event-ID} is first replayed what came after that id and is still
 * in the history; without it the stream starts with the next event ({@code Last-Event-ID: 0} asks for the whole
 * history). Answers 400 ({@link ServiceMessage#HTTP_BAD_REQUEST}) for an id that is not a number, 503 ({@link
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
        if (!hub.subscribe(lastEventId, new ExchangeSink(ex))) {
            return HttpReply.error(503, ServiceMessage.HTTP_EVENTS_UNAVAILABLE, maxClients + " event streams are "
                    + "open (" + HttpSettings.EVENTS_CLIENTS + "), or the daemon is stopping: close one or try "
                    + "again later");
        }
        return null;
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
