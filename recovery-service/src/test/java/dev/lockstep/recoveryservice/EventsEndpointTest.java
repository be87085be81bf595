package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.ResourceStatus;
import dev.lockstep.tm.recovery.ScanReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/events} and {@code GET /metrics} on a real server (port 0, loopback), fed as the daemon feeds them:
 * a client reads the stream line by line with the JDK's client, sees the events in order with their ids, and
 * reconnects with {@code Last-Event-ID} to get only the newer ones; the meters show what recovery did.
 */
class EventsEndpointTest {

    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final StringWriter out = new StringWriter();
    private final EventLog events = new EventLog(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
            Clock.fixed(NOW, ZoneOffset.UTC));
    private final List<Stream<String>> streams = new ArrayList<>();
    private EventHub hub;
    private RecoveryFeed feed;
    private ServiceMetrics metrics;
    private AdminServer server;
    private String base;

    /** What {@code GET /api/in-doubt} inspects: the report of the test's last scan. */
    private volatile ScanReport inspected = new ScanReport(NOW, Duration.ZERO, List.of(), List.of(), List.of(),
            List.of());

    private void start(int maxClients) throws IOException {
        HttpSettings.EventStreamConfig streamCfg = new HttpSettings.EventStreamConfig(100, Duration.ofSeconds(15),
                maxClients);
        DaemonView daemon = new DaemonView() {
            @Override
            public ScanReport inspect() {
                return inspected;
            }

            @Override
            public List<RecoveryAction> resolve(String gtridHex, dev.lockstep.tm.recovery.Verdict verdict) {
                throw new UnsupportedOperationException("not routed here");
            }

            @Override
            public ScanState scans() {
                throw new UnsupportedOperationException("not routed here");
            }
        };
        HttpSettings.HttpConfig cfg = new HttpSettings.HttpConfig(InetAddress.getLoopbackAddress(), 0, null, null,
                Duration.ofMinutes(5), streamCfg);
        hub = new EventHub(streamCfg);
        metrics = new ServiceMetrics();
        feed = new RecoveryFeed(hub);
        AdminServer.Routes routes = new AdminServer.Routes()
                .get("/metrics", new MetricsEndpoint(metrics))
                .get("/api/in-doubt", new InDoubtEndpoint(daemon, hub::lastId))
                .stream("/api/events", new EventsEndpoint(hub, maxClients));
        server = AdminServer.start(cfg, routes, events);
        base = "http://127.0.0.1:" + server.address().getPort();
    }

    @AfterEach
    void stop() {
        streams.forEach(Stream::close);
        if (hub != null) {
            hub.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** The events of one open stream, as the client reads them: each frame's lines, without the blank line. */
    private final class Reader {
        final HttpResponse<Stream<String>> response;
        final BlockingQueue<List<String>> frames = new LinkedBlockingQueue<>();

        Reader(String lastEventId) throws Exception {
            this(lastEventId, null);
        }

        /** With {@code query} (e.g. {@code since=6}) after {@code /api/events?} unless null. */
        Reader(String lastEventId, String query) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/events"
                    + (query == null ? "" : "?" + query))).GET();
            if (lastEventId != null) {
                b.header("Last-Event-ID", lastEventId);
            }
            response = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofLines());
            streams.add(response.body());
            if (response.statusCode() == 200) {
                Thread t = new Thread(() -> {
                    List<String> frame = new ArrayList<>();
                    try {
                        response.body().forEach(line -> {
                            if (line.isEmpty()) {
                                frames.add(List.copyOf(frame));
                                frame.clear();
                            } else {
                                frame.add(line);
                            }
                        });
                    } catch (RuntimeException e) {
                        // the stream was closed under the reader
                    }
                    frames.add(List.of("(end of stream)"));
                }, "test-sse-reader");
                t.setDaemon(true);
                t.start();
            }
        }

        List<String> next() throws InterruptedException {
            List<String> f = frames.poll(10, TimeUnit.SECONDS);
            assertNotNull(f, "no event within 10 s");
            return f;
        }
    }

    private static RecoveryAction action(RecoveryAction.Kind kind, String detail) {
        return new RecoveryAction(NOW, kind, true, "orders-1", "01086f72", "00000001", "orders-db", detail);
    }

    private void aScanThatCommits() {
        feed.scanStarted(NOW);
        feed.onAction(action(RecoveryAction.Kind.TAKE_OVER, "took over incarnation 1"));
        feed.onAction(action(RecoveryAction.Kind.COMMIT, "committed"));
        feed.onAction(action(RecoveryAction.Kind.END, "every branch finished"));
        feed.scanFinished(new ScanReport(NOW, Duration.ofMillis(12), List.of(new ResourceStatus("orders-db", true,
                false, 1, 0, null, null)), List.of(), List.of(), List.of()));
    }

    @Test
    void aClientSeesEveryEventInOrderAndAfterReconnectingOnlyTheNewerOnes() throws Exception {
        start(4);
        Reader first = new Reader(null);
        assertEquals(200, first.response.statusCode());
        assertEquals("text/event-stream; charset=utf-8", first.response.headers().firstValue("Content-Type")
                .orElse(null));
        assertEquals("no-store", first.response.headers().firstValue("Cache-Control").orElse(null));
        awaitClients(1);
        aScanThatCommits();
        List<String> types = new ArrayList<>();
        for (int id = 1; id <= 6; id++) {
            List<String> f = first.next();
            assertEquals("id: " + id, f.get(0), f.toString());
            assertEquals(3, f.size(), "id, event and one data line: " + f);
            types.add(f.get(1).substring("event: ".length()));
            JsonNode data = JSON.readTree(f.get(2).substring("data: ".length()));
            if (id == 3) {
                assertEquals("COMMIT", data.get("kind").asText());
                assertEquals("orders-db", data.get("resource").asText());
                assertEquals("01086f72", data.get("gtrid").asText());
            }
            if (id == 5) {
                assertEquals(12, data.get("tookMs").asInt());
                assertEquals(0, data.get("actions").asInt(), "the test's report lists no actions");
                assertTrue(data.get("clean").asBoolean());
            }
            if (id == 6) {
                assertEquals("orders-db", data.get("resources").get(0).get("name").asText(),
                        "what is unfinished after the scan, as GET /api/in-doubt answers it: " + data);
                assertEquals(0, data.get("inDoubt").size(), data.toString());
            }
        }
        assertEquals(List.of("scan_started", "take_over", "commit", "end", "scan_finished", "in_doubt"), types);

        Reader again = new Reader("3");
        assertEquals(200, again.response.statusCode());
        assertEquals("id: 4", again.next().get(0));
        assertEquals("id: 5", again.next().get(0));
        assertEquals("id: 6", again.next().get(0));
        awaitClients(2);
        feed.scanStarted(NOW.plusSeconds(5));
        assertEquals(List.of("id: 7", "event: scan_started", "data: {\"at\":\"2026-11-21T10:00:05.000Z\"}"),
                again.next());
        assertEquals("id: 7", first.next().get(0), "the first client goes on too");
    }

    @Test
    void aPageLoadsTheSnapshotThenFollowsFromExactlyTheEventAfterIt() throws Exception {
        start(4);
        aScanThatCommits(); // events 1 to 6
        HttpResponse<String> snapshot = HttpTesting.get(base, "/api/in-doubt");
        assertEquals(200, snapshot.statusCode(), snapshot.body());
        String since = snapshot.headers().firstValue(InDoubtEndpoint.LAST_EVENT_ID).orElse(null);
        assertEquals("6", since, "the listing reflects every event up to the newest one");

        // An event between the snapshot and the subscription: a browser's EventSource cannot send Last-Event-ID
        // on its first connection, so without 'since' this one would be lost.
        feed.onAction(action(RecoveryAction.Kind.ROLLBACK, "rolled back between the two"));
        Reader page = new Reader(null, "since=" + since);
        assertEquals(200, page.response.statusCode());
        List<String> replayed = page.next();
        assertEquals("id: 7", replayed.get(0), replayed.toString());
        assertEquals("event: rollback", replayed.get(1), replayed.toString());
        awaitClients(1);
        feed.scanStarted(NOW.plusSeconds(5));
        assertEquals("id: 8", page.next().get(0), "then the live events, none twice");

        Reader preferHeader = new Reader("7", "since=2");
        assertEquals("id: 8", preferHeader.next().get(0), "Last-Event-ID, which EventSource sends when it "
                + "reconnects to the same URL, wins over since");
    }

    @Test
    void aSinceTheHistoryNoLongerCoversStartsWithAGap() throws Exception {
        start(4);
        aScanThatCommits();
        Reader r = new Reader(null, "since=99");
        List<String> gap = r.next();
        assertEquals("event: gap", gap.get(0), "a gap has no id: " + gap);
        JsonNode data = JSON.readTree(gap.get(1).substring("data: ".length()));
        assertEquals(99, data.get("lastEventId").asInt());
        assertEquals(6, data.get("newest").asInt());
        assertEquals("id: 1", r.next().get(0), "then the whole history held");
    }

    @Test
    void aSinceThatIsNotAnIdIsABadRequest() throws Exception {
        start(4);
        for (String query : List.of("since=abc", "since=-1", "since=", "since", "since=1&since=2",
                "since=99999999999999999999")) {
            HttpResponse<String> r = HttpTesting.get(base, "/api/events?" + query);
            assertEquals(400, r.statusCode(), query + ": " + r.body());
            assertTrue(r.body().contains(ServiceMessage.HTTP_BAD_REQUEST.id() + " since must be"), r.body());
            assertFalse(query.contains("=") && r.body().contains(query), "the query is not echoed: " + r.body());
        }
        assertEquals(null, EventsEndpoint.since("other=1&x"), "other parameters are the client's own");
        assertEquals(12L, EventsEndpoint.since("x=y&since=12"));
    }

    @Test
    void theListingIsAnEventOnlyWhenItChanged() throws Exception {
        start(4);
        aScanThatCommits();
        feed.scanStarted(NOW.plusSeconds(10));
        feed.scanFinished(new ScanReport(NOW.plusSeconds(10), Duration.ofMillis(3), List.of(new ResourceStatus(
                "orders-db", true, false, 1, 0, null, null)), List.of(), List.of(), List.of()));
        assertEquals(8, hub.lastId(), "scan_started and scan_finished, no second in_doubt for the same listing");
        feed.scanFinished(new ScanReport(NOW.plusSeconds(20), Duration.ofMillis(3), List.of(new ResourceStatus(
                "orders-db", false, false, 0, 0, "connection refused", null)), List.of(), List.of(), List.of()));
        assertEquals(10, hub.lastId(), "a resource that stopped answering changes the listing");
    }

    @Test
    void theDaemonStoppingEndsTheStreams() throws Exception {
        start(4);
        Reader r = new Reader(null);
        awaitClients(1);
        hub.close();
        assertEquals(List.of("(end of stream)"), r.next());
        HttpResponse<String> refused = HttpTesting.get(base, "/api/events");
        assertEquals(503, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains(ServiceMessage.HTTP_EVENTS_UNAVAILABLE.id()), refused.body());
    }

    @Test
    void oneStreamTooManyOrABadIdIsRefused() throws Exception {
        start(1);
        Reader r = new Reader(null);
        assertEquals(200, r.response.statusCode());
        awaitClients(1);
        HttpResponse<String> full = HttpTesting.get(base, "/api/events");
        assertEquals(503, full.statusCode(), full.body());
        assertEquals("application/json; charset=utf-8", full.headers().firstValue("Content-Type").orElse(null));
        Reader bad = new Reader("yesterday");
        assertEquals(400, bad.response.statusCode());
        assertTrue(out.toString().contains("event=http_request method=GET path=/api/events status=503 id=LKS-617"),
                out.toString());
    }

    @Test
    void metricsShowWhatRecoveryDidInThePrometheusFormat() throws Exception {
        start(4);
        metrics.listener().scanStarted(NOW);
        metrics.listener().onAction(action(RecoveryAction.Kind.TAKE_OVER, "took over"));
        metrics.listener().onAction(action(RecoveryAction.Kind.COMMIT, "committed"));
        metrics.listener().scanFinished(new ScanReport(NOW, Duration.ofMillis(12), List.of(), List.of(), List.of(),
                List.of()));
        HttpResponse<String> r = HttpTesting.get(base, "/metrics");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(ServiceMetrics.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(null));
        assertTrue(r.body().contains("lockstep_recovery_actions_total{kind=\"commit\",ok=\"true\"} 1.0"), r.body());
        assertTrue(r.body().contains("lockstep_recovery_scan_seconds_count 1"), r.body());
        assertTrue(r.body().contains("lockstep_indoubt_transactions 0.0"), r.body());
        assertTrue(r.body().contains("lockstep_indoubt_oldest_age_seconds 0.0"), r.body());
        assertTrue(r.body().contains("lockstep_heuristics_total 0.0"), r.body());
        assertFalse(r.body().contains("lockstep_transactions"), "the service runs no transaction: " + r.body());
        assertFalse(r.body().contains("lockstep_log_force"), r.body());
        assertTrue(r.body().contains("jvm_memory_used_bytes"), "the JVM's basics too");
        assertTrue(r.body().contains("process_uptime_seconds"), r.body());
        assertFalse(r.body().contains("\n\n"), "no blank line in the exposition");
    }

    private void awaitClients(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (hub.clients() < n) {
            assertTrue(System.nanoTime() < deadline, "fewer than " + n + " streams open");
            Thread.sleep(5);
        }
    }
}
