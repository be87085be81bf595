package dev.lockstep.recoveryservice;

import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code GET /api/in-doubt}: what {@code list --json} prints, made by the same code from the daemon's recovery, and
 * in the header {@value #LAST_EVENT_ID} the id of the newest {@code /api/events} event before the inspection began.
 * The listing reflects that event and every one before it (and possibly some after: events of a scan that ran between
 * the read of the id and the inspection, which waits for it), so a client that then opens {@code /api/events?since=}
 * that id misses nothing in between; it may see an event whose effect the listing already shows. The header, not a
 * JSON field, so that the body stays exactly {@code list --json}'s.
 */
final class InDoubtEndpoint implements Endpoint {

    /** The response header with the id to pass as {@code since}. */
    static final String LAST_EVENT_ID = "Lockstep-Last-Event-Id";

    private final DaemonView daemon;
    private final LongSupplier lastEventId;

    /** @param lastEventId the id of the newest event published ({@link EventHub#lastId()}) */
    InDoubtEndpoint(DaemonView daemon, LongSupplier lastEventId) {
        this.daemon = daemon;
        this.lastEventId = lastEventId;
    }

    @Override
    public HttpReply handle(HttpCall call) {
        long before = lastEventId.getAsLong(); // read first: an event after it is replayed, never lost
        String listing = InDoubtListing.json(daemon.inspect());
        return new HttpReply(200, listing, Map.of(LAST_EVENT_ID, Long.toString(before)), null);
    }
}
