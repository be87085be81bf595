package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The web console's files as the daemon serves them: each path with its content type, the strict
 * Content-Security-Policy and {@code nosniff}; and what the policy relies on, read in the files themselves: no inline
 * script, style or event handler, nothing loaded from another origin, and no server string written as HTML.
 */
class ConsoleEndpointTest {

    private final EventLog events = new EventLog(new PrintWriter(new StringWriter(), true),
            new PrintWriter(new StringWriter(), true), Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"),
            ZoneOffset.UTC));
    private AdminServer server;
    private String base;

    private void start() throws IOException {
        HttpSettings.HttpConfig cfg = new HttpSettings.HttpConfig(InetAddress.getLoopbackAddress(), 0, null, null,
                Duration.ofMinutes(5), HttpSettings.EventStreamConfig.DEFAULT);
        AdminServer.Routes routes = new AdminServer.Routes();
        ConsoleEndpoint.all().forEach(routes::get);
        server = AdminServer.start(cfg, routes, events);
        base = "http://127.0.0.1:" + server.address().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyFileIsServedWithItsTypeAndTheStrictPolicy() throws Exception {
        start();
        Map<String, String> types = Map.of("/", "text/html; charset=utf-8",
                "/console/console.js", "text/javascript; charset=utf-8",
                "/console/console.css", "text/css; charset=utf-8",
                "/console/favicon.svg", "image/svg+xml");
        assertEquals(types.keySet(), ConsoleEndpoint.FILES.keySet());
        for (var e : types.entrySet()) {
            HttpResponse<String> r = HttpTesting.get(base, e.getKey());
            assertEquals(200, r.statusCode(), e.getKey());
            assertEquals(e.getValue(), r.headers().firstValue("Content-Type").orElse(null), e.getKey());
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), e.getKey());
            String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(csp.startsWith("default-src 'self';"), csp);
            assertFalse(csp.contains("unsafe"), csp);
            assertTrue(csp.contains("frame-ancestors 'none'"), csp);
        }
        assertTrue(HttpTesting.get(base, "/").body().contains("<script src=\"/console/console.js\" defer></script>"));
        assertEquals(404, HttpTesting.get(base, "/console/missing.js").statusCode());
    }

    @Test
    void thePageHasNothingInlineNothingRemoteAndNoServerStringAsHtml() throws Exception {
        start();
        String html = HttpTesting.get(base, "/").body();
        String js = HttpTesting.get(base, "/console/console.js").body();
        assertFalse(Pattern.compile("<script(?![^>]*\\ssrc=)[^>]*>", Pattern.CASE_INSENSITIVE).matcher(html).find(),
                "no inline script: the policy would block it");
        assertFalse(Pattern.compile("<style|\\sstyle=|\\son[a-z]+=", Pattern.CASE_INSENSITIVE).matcher(html).find(),
                "no inline style or event handler attribute");
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find(), "nothing from elsewhere");
        for (String sink : new String[] {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
            "new Function", "localStorage", "sessionStorage", "setAttribute('style'"}) {
            assertFalse(js.contains(sink), sink + " in console.js: server strings are rendered with textContent, "
                    + "the token is kept in its field only");
        }
        assertTrue(js.contains("'Authorization': 'Bearer ' + token"), "the token goes in the header");
        assertTrue(js.contains("/api/events?since="), "the stream starts after the snapshot");
    }
}
