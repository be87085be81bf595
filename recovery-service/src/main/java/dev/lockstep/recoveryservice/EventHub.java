package dev.lockstep.recoveryservice;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands the daemon's recovery events to every open {@code /api/events} stream, and keeps the {@link EventHistory}
 * that reconnecting clients are replayed from. {@link #publish} runs on the scanning thread (or the thread of a
 * resolve) and never waits for a client: it queues the frame for each, and ends a client whose queue is full
 * (it fell behind; it reconnects with {@code Last-Event-ID} and is replayed what the history still holds). Each
 * client has a thread of its own that writes ({@link EventClient}), so at most {@code maxClients} streams are open.
 */
final class EventHub implements AutoCloseable {

    /** How many live events may wait for one client's writer before the client counts as fallen behind. */
    static final int CLIENT_QUEUE = 1024;

    private static final ObjectMapper ONE_LINE = new ObjectMapper();

    private final EventHistory history;
    private final int maxClients;
    private final int queueSize;
    private final Duration heartbeat;
    private final Map<Long, EventClient> clients = new LinkedHashMap<>();
    private final AtomicLong numbers = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private boolean closed;

    EventHub(HttpSettings.EventStreamConfig cfg) {
        this(cfg.history(), cfg.clients(), CLIENT_QUEUE, cfg.heartbeat());
    }

    EventHub(int historySize, int maxClients, int queueSize, Duration heartbeat) {
        this.history = new EventHistory(historySize);
        this.maxClients = maxClients;
        this.queueSize = queueSize;
        this.heartbeat = heartbeat;
    }

    /** Numbers the event, keeps it in the history and queues it for every client; never blocks on a client. */
    synchronized FeedEvent publish(String type, Object data) {
        FeedEvent event = history.append(type, oneLine(type, data));
        String frame = SseFormat.frame(event);
        List<EventClient> behind = new ArrayList<>();
        for (EventClient c : clients.values()) {
            if (!c.offer(frame)) {
                behind.add(c);
            }
        }
        for (EventClient c : behind) {
            clients.remove(c.number());
            if (c.isOpen()) {
                dropped.incrementAndGet();
                c.end();
            }
        }
        return event;
    }

    /**
     * Opens a stream: the client is replayed what came after {@code lastEventId} (null: nothing, it starts with the
     * next event; an {@code event: gap} first if the history no longer holds all of it) and then gets every new
     * event, without one missed or sent twice in between. Returns false, having started nothing, if {@code
     * maxClients} streams are open or the hub is closed; the caller answers 503.
     *
     * @param sink the response, not begun yet: the client's thread begins, writes and closes it
     */
    synchronized boolean subscribe(Long lastEventId, EventSink sink) {
        if (closed || clients.size() >= maxClients) {
            return false;
        }
        List<String> backlog = new ArrayList<>();
        if (lastEventId != null) {
            EventHistory.Replay replay = history.after(lastEventId);
            if (replay.gap()) {
                backlog.add(SseFormat.frame(null, "gap", gapJson(lastEventId, replay.oldest())));
            }
            replay.events().forEach(e -> backlog.add(SseFormat.frame(e)));
        }
        long number = numbers.incrementAndGet();
        EventClient[] self = new EventClient[1];
        self[0] = new EventClient(number, queueSize, backlog, sink, heartbeat, () -> gone(self[0]));
        clients.put(number, self[0]);
        Thread writer = new Thread(self[0], "lockstep-events-" + number);
        writer.setDaemon(true);
        writer.start();
        return true;
    }

    private String gapJson(long asked, long oldest) {
        Map<String, Object> gap = new LinkedHashMap<>();
        gap.put("lastEventId", asked);
        gap.put("oldestHeld", oldest);
        gap.put("newest", history.lastId());
        gap.put("detail", asked > history.lastId() ? "this id is not of this run of the daemon (ids start at 1 "
                + "with each start): events may have been missed; the history held follows"
                : "events after " + asked + " are no longer held (the history keeps the last "
                + HttpSettings.EVENTS_HISTORY + " events): some were missed; the history held follows");
        return oneLine("gap", gap);
    }

    /** Plain values (maps, Jackson trees) as JSON on one line; it cannot fail, and a failure would be a bug. */
    private static String oneLine(String type, Object data) {
        try {
            return ONE_LINE.writeValueAsString(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(ServiceMessage.LISTING_NOT_SERIALIZED + " the data of a " + type
                    + " event did not serialize: " + e, e);
        }
    }

    private synchronized void gone(EventClient c) {
        clients.remove(c.number(), c);
    }

    /**
     * The id of the newest event, 0 before the first. {@code GET /api/in-doubt} reads it before it inspects: its
     * answer reflects every event up to this id (and maybe a few after it), so a page that subscribes with {@code
     * since=<this id>} misses nothing between its snapshot and the stream.
     */
    synchronized long lastId() {
        return history.lastId();
    }

    /** Streams open now. */
    synchronized int clients() {
        return clients.size();
    }

    /** Clients ended because they fell behind, since the start. */
    long droppedClients() {
        return dropped.get();
    }

    /** Ends every stream (each client's thread closes its response) and refuses new ones; the history stays. */
    @Override
    public synchronized void close() {
        closed = true;
        for (EventClient c : clients.values()) {
            c.end();
        }
        clients.clear();
    }
}
