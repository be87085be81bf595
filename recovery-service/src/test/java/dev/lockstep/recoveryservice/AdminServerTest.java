package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.tm.log.HeuristicOutcome;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.recovery.InDoubtTransaction;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.ResolveRefusedException;
import dev.lockstep.tm.recovery.ScanReport;
import dev.lockstep.tm.recovery.Verdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of the HTTP side on a real server (port 0, loopback) over a fake daemon: what each answers, and
 * every refusal with its status and LKS id.
 */
class AdminServerTest {

    private static final String TOKEN = "0123456789abcdef-test-token";
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final EventLog events = new EventLog(new PrintWriter(out, true), new PrintWriter(err, true),
            Clock.fixed(NOW, ZoneOffset.UTC));
    private final FakeDaemon daemon = new FakeDaemon();
    private AdminServer server;
    private String base;

    /** A daemon whose answers the test sets. */
    private static final class FakeDaemon implements DaemonView {
        ScanReport report = report(List.of());
        ScanState state = new ScanState(NOW.minusSeconds(60), Duration.ofSeconds(10), report, NOW.minusSeconds(1),
                null);
        RuntimeException refusal;
        List<RecoveryAction> actions = List.of();
        final List<String> resolved = new ArrayList<>();

        @Override
        public ScanReport inspect() {
            return report;
        }

        @Override
        public List<RecoveryAction> resolve(String gtridHex, Verdict verdict) {
            resolved.add(gtridHex + " " + verdict);
            if (refusal != null) {
                throw refusal;
            }
            return actions;
        }

        @Override
        public ScanState scans() {
            return state;
        }
    }

    static ScanReport report(List<InDoubtTransaction> inDoubt) {
        return new ScanReport(NOW, Duration.ofMillis(5), List.of(), List.of(), inDoubt, List.of());
    }

    static InDoubtTransaction tx(Instant begin, List<InDoubtTransaction.Heuristic> heuristics) {
        return new InDoubtTransaction("01086f72", "orders-1", 1, 7, begin, begin.plusSeconds(60),
                InDoubtTransaction.Owner.DEAD, InDoubtTransaction.Decision.COMMIT, begin.plusSeconds(1),
                List.of(new InDoubtTransaction.BranchState("orders-db", "00000001",
                        InDoubtTransaction.State.IN_DOUBT)), heuristics, "the next scan commits it");
    }

    private void start(String token) throws IOException {
        HttpSettings.HttpConfig cfg = new HttpSettings.HttpConfig(InetAddress.getLoopbackAddress(), 0, token,
                token == null ? null : "test", Duration.ofMinutes(5), HttpSettings.EventStreamConfig.DEFAULT);
        AdminServer.Routes routes = new AdminServer.Routes()
                .get("/health", new HealthEndpoint(daemon, Clock.fixed(NOW, ZoneOffset.UTC), cfg.inDoubtAgeLimit()))
                .get("/api/in-doubt", new InDoubtEndpoint(daemon, () -> 42))
                .post("/api/resolve", new ResolveEndpoint(daemon, events))
                .get("/boom", call -> {
                    throw new IllegalStateException("secret-detail-of-a-bug");
                });
        server = AdminServer.start(cfg, routes, events);
        base = "http://127.0.0.1:" + server.address().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElse(null));
        return JSON.readTree(r.body());
    }

    @Test
    void itListensOnTheLoopbackOnly() throws Exception {
        start(null);
        assertTrue(server.address().getAddress().isLoopbackAddress(), server.address().toString());
    }

    @Test
    void inDoubtIsExactlyWhatListJsonPrints() throws Exception {
        daemon.report = report(List.of(tx(NOW.minusSeconds(30), List.of())));
        start(null);
        HttpResponse<String> r = HttpTesting.get(base, "/api/in-doubt");
        assertEquals(200, r.statusCode());
        assertEquals(InDoubtListing.json(daemon.report) + "\n", r.body());
        assertEquals("01086f72", json(r).get("inDoubt").get(0).get("gtrid").asText());
        assertEquals("42", r.headers().firstValue(InDoubtEndpoint.LAST_EVENT_ID).orElse(null),
                "the id of the newest event, for /api/events?since=");
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null));
    }

    @Test
    void healthIsUpWhenTheLastScanWasCleanAndRecent() throws Exception {
        start(null);
        HttpResponse<String> r = HttpTesting.get(base, "/health");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode h = json(r);
        assertEquals("UP", h.get("status").asText());
        for (String check : List.of("decisionLog", "lastScan", "heuristics", "inDoubtAge")) {
            assertEquals("UP", h.get("checks").get(check).get("status").asText(), check);
        }
        assertEquals(0, h.get("reasons").size());
    }

    @Test
    void healthIsDownWithItsReasonsOn503() throws Exception {
        ScanReport bad = new ScanReport(NOW, Duration.ofMillis(5), List.of(), List.of(),
                List.of(tx(NOW.minus(Duration.ofMinutes(10)), List.of(new InDoubtTransaction.Heuristic("orders-db",
                        "00000001", HeuristicOutcome.MIXED, NOW)))), List.of("LKS-205 the log is corrupt"));
        daemon.state = new ScanState(NOW.minusSeconds(60), Duration.ofSeconds(10), bad, NOW.minusSeconds(1), null);
        start(null);
        HttpResponse<String> r = HttpTesting.get(base, "/health");
        assertEquals(503, r.statusCode(), r.body());
        JsonNode h = json(r);
        assertEquals("DOWN", h.get("status").asText());
        assertEquals("UP", h.get("checks").get("lastScan").get("status").asText());
        assertEquals(3, h.get("reasons").size(), r.body());
        assertTrue(h.get("checks").get("inDoubtAge").get("detail").asText().contains("orders-1:1:7"), r.body());
    }

    @Test
    void resolveIsDisabledWithoutAToken() throws Exception {
        start(null);
        HttpResponse<String> r = HttpTesting.post(base, "/api/resolve", "{\"gtrid\":\"01\",\"verdict\":\"commit\"}",
                "anything");
        assertEquals(403, r.statusCode());
        assertEquals(ServiceMessage.HTTP_RESOLVE_DISABLED.id(), json(r).get("id").asText());
        assertTrue(json(r).get("error").asText().contains(HttpSettings.TOKEN_FILE), r.body());
        assertEquals(List.of(), daemon.resolved, "nothing was resolved");
        assertTrue(out.toString().contains("event=http_request method=POST path=/api/resolve status=403 id=LKS-611"),
                out.toString());
    }

    @Test
    void resolveNeedsTheRightBearerToken() throws Exception {
        start(TOKEN);
        String body = "{\"gtrid\":\"01086F72\",\"verdict\":\"commit\"}";
        HttpResponse<String> none = HttpTesting.post(base, "/api/resolve", body, null);
        assertEquals(401, none.statusCode());
        assertEquals("Bearer realm=\"lockstep-recovery\"", none.headers().firstValue("WWW-Authenticate").orElse(null));
        assertEquals(ServiceMessage.HTTP_UNAUTHORIZED.id(), json(none).get("id").asText());
        HttpResponse<String> wrong = HttpTesting.post(base, "/api/resolve", body, TOKEN + "x");
        assertEquals(401, wrong.statusCode());
        assertEquals(List.of(), daemon.resolved);

        HttpResponse<String> ok = HttpTesting.post(base, "/api/resolve", body, TOKEN);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(List.of("01086f72 COMMIT"), daemon.resolved, "the gtrid in lower case, as the command has it");
        JsonNode j = json(ok);
        assertTrue(j.get("finished").asBoolean());
        assertEquals("COMMIT", j.get("verdict").asText());
        assertTrue(out.toString().contains("event=resolved gtrid=01086f72 verdict=commit actions=0 failed=0"),
                out.toString());
    }

    @Test
    void aResolveThatLeavesWorkForTheScansIsAccepted() throws Exception {
        daemon.actions = List.of(new RecoveryAction(NOW, RecoveryAction.Kind.COMMIT, false, "orders-1", "01086f72",
                "00000001", "orders-db", "XAER_RMFAIL"));
        start(TOKEN);
        HttpResponse<String> r = HttpTesting.post(base, "/api/resolve", "{\"gtrid\":\"01086f72\","
                + "\"verdict\":\"commit\"}", TOKEN);
        assertEquals(202, r.statusCode(), r.body());
        JsonNode j = json(r);
        assertFalse(j.get("finished").asBoolean());
        assertEquals("XAER_RMFAIL", j.get("actions").get(0).get("detail").asText());
    }

    @Test
    void refusalsKeepTheirIdAndMapToAStatus() throws Exception {
        start(TOKEN);
        daemon.refusal = new ResolveRefusedException(TmMessage.RESOLVE_ROLLBACK_OF_COMMIT, "transaction x has a "
                + "COMMIT decision: use verdict commit");
        HttpResponse<String> r = HttpTesting.post(base, "/api/resolve", "{\"gtrid\":\"01086f72\","
                + "\"verdict\":\"rollback\"}", TOKEN);
        assertEquals(409, r.statusCode(), r.body());
        JsonNode j = json(r);
        assertEquals(TmMessage.RESOLVE_ROLLBACK_OF_COMMIT.id(), j.get("id").asText());
        assertEquals(TmMessage.RESOLVE_ROLLBACK_OF_COMMIT + " transaction x has a COMMIT decision: use verdict commit",
                j.get("error").asText());
        assertTrue(err.toString().contains("event=resolve_refused"), err.toString());

        assertEquals(400, ResolveEndpoint.status(TmMessage.RESOLVE_NOT_A_GTRID));
        assertEquals(422, ResolveEndpoint.status(TmMessage.RESOLVE_OTHER_NODE));
        assertEquals(404, ResolveEndpoint.status(TmMessage.RESOLVE_NOTHING_IN_DOUBT));
        assertEquals(409, ResolveEndpoint.status(TmMessage.RESOLVE_OWNER_ALIVE));
        assertEquals(503, ResolveEndpoint.status(TmMessage.RESOLVE_WRITE_FAILED));
    }

    @Test
    void aBodyThatIsNotTheExpectedDocumentIsABadRequest() throws Exception {
        start(TOKEN);
        for (String body : List.of("not json", "[]", "{\"verdict\":\"commit\"}", "{\"gtrid\":\"01\"}",
                "{\"gtrid\":\"01\",\"verdict\":\"maybe\"}")) {
            HttpResponse<String> r = HttpTesting.post(base, "/api/resolve", body, TOKEN);
            assertEquals(400, r.statusCode(), body + " -> " + r.body());
            assertEquals(ServiceMessage.HTTP_BAD_REQUEST.id(), json(r).get("id").asText());
        }
        assertEquals(List.of(), daemon.resolved);
    }

    /**
     * The 413 must reach a client that is still sending: answering before the body is read and closing makes the
     * kernel reset the connection. Many sizes up to the drain limit, each several times, make the race show.
     */
    @Test
    void a413ReachesAClientStillSendingItsBody() throws Exception {
        start(TOKEN);
        int[] sizes = {AdminServer.MAX_BODY_BYTES + 1, 100_000, 300_000, (int) AdminServer.DRAIN_LIMIT_BYTES};
        for (int size : sizes) {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = HttpTesting.post(base, "/api/resolve", "x".repeat(size), TOKEN);
                assertEquals(413, r.statusCode(), size + " bytes: " + r.body());
            }
        }
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        start(TOKEN);
        String big = "{\"gtrid\":\"" + "0".repeat(AdminServer.MAX_BODY_BYTES) + "\",\"verdict\":\"commit\"}";
        HttpResponse<String> r = HttpTesting.post(base, "/api/resolve", big, TOKEN);
        assertEquals(413, r.statusCode(), r.body());
        assertEquals(ServiceMessage.HTTP_BODY_TOO_LARGE.id(), json(r).get("id").asText());
        assertEquals(List.of(), daemon.resolved);
    }

    @Test
    void unknownPathsAndMethodsAreRefused() throws Exception {
        start(null);
        HttpResponse<String> missing = HttpTesting.get(base, "/metrics");
        assertEquals(404, missing.statusCode());
        assertTrue(json(missing).get("error").asText().contains("/api/in-doubt"), missing.body());
        HttpResponse<String> method = HttpTesting.post(base, "/health", "{}", null);
        assertEquals(405, method.statusCode());
        assertEquals("GET", method.headers().firstValue("Allow").orElse(null));
    }

    @Test
    void aFailingEndpointAnswers500WithoutItsException() throws Exception {
        start(null);
        HttpResponse<String> r = HttpTesting.get(base, "/boom");
        assertEquals(500, r.statusCode());
        assertEquals(ServiceMessage.HTTP_CALL_FAILED.id(), json(r).get("id").asText());
        assertFalse(r.body().contains("secret-detail-of-a-bug"), r.body());
        assertTrue(err.toString().contains("event=http_error method=GET path=/boom"), err.toString());
        assertEquals(200, HttpTesting.get(base, "/health").statusCode(), "the server goes on");
    }
}
