package dev.lockstep.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.demo.transfer.Checker;
import dev.lockstep.demo.transfer.ChildJvm;
import dev.lockstep.demo.transfer.Endpoints;
import dev.lockstep.demo.transfer.RecoveryServiceProcess;
import dev.lockstep.demo.transfer.TransferApp;
import dev.lockstep.testkit.servers.ManagedServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.tm.spi.CrashPoint;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The recovery daemon's HTTP side over real servers, as an operator's dashboard sees a recovery.
 *
 * <pre>
 * Scenario:
 *   crash       the transfer app (PostgreSQL, MariaDB) halts at C4: COMMIT forced, both branches prepared
 *   MariaDB     stopped (gracefully: its prepared branch survives), so the first scans can finish only PostgreSQL
 *   daemon      lockstep-recovery-service.jar run with http.port = 0 (loopback), no token, scans every second
 *   expected    GET /api/in-doubt lists the crashed transfer: owner DEAD, decision COMMIT, its MariaDB branch
 *               UNKNOWN; GET /health answers; POST /api/resolve is refused with 403 (no token configured); MariaDB
 *               started again, a scan commits the branch and ends the decision, and GET /api/in-doubt shows nothing
 *               in doubt; GET /api/events, read from its first event (Last-Event-ID: 0), delivered in order with
 *               increasing ids the take_over of the dead log, the commit of the MariaDB branch, the end of the
 *               decision, the retirement of the log and a scan_finished; GET /metrics shows lockstep_recovery
 *               series; SIGTERM: exit 0; the Checker finds the transfer committed everywhere
 * </pre>
 */
class RecoveryServiceHttpTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STARTED = Pattern.compile("event=http_started address=127\\.0\\.0\\.1 port=(\\d+)");

    @Test
    void theInDoubtListShowsACrashedTransferUntilTheScansFinishIt() throws Exception {
        Endpoints all = Endpoints.ofHarness(false);
        CrashRuns.cleanSlate(all);
        TransferRun run = TransferRun.open("http", all, 2);
        try (ChildJvm app = run.crash(CrashPoint.C4_DECISION_FORCED, 1)) {
            assertEquals(TransferApp.HALTED, app.awaitExit(Duration.ofSeconds(60)), app.tail());
        }
        ManagedServer maria = Servers.mariadb();
        maria.stop();
        RecoveryServiceProcess.Result stopped;
        try {
            RecoveryServiceProcess service = run.recovery().set("http.port", "0")
                    .set("retry.initial.delay", "200ms").set("retry.max.delay", "1s");
            try (RecoveryServiceProcess.Daemon daemon = service.startDaemon()) {
                String base = "http://127.0.0.1:" + port(daemon);
                awaitScans(daemon, 1);

                HttpResponse<String> listing = get(base, "/api/in-doubt");
                assertEquals(200, listing.statusCode(), listing.body());
                JsonNode tx = inDoubtOf(listing, run.node);
                assertEquals("DEAD", tx.get("owner").asText(), listing.body());
                assertEquals("COMMIT", tx.get("decision").asText(), listing.body());
                boolean mariaUnknown = false;
                for (JsonNode b : tx.get("branches")) {
                    mariaUnknown |= b.get("resource").asText().equals(Endpoints.MARIA_RESOURCE)
                            && b.get("state").asText().equals("UNKNOWN");
                }
                assertTrue(mariaUnknown, "the stopped MariaDB's branch: " + listing.body());

                HttpResponse<String> health = get(base, "/health");
                assertTrue(health.statusCode() == 200 || health.statusCode() == 503, health.body());
                assertTrue(JSON.readTree(health.body()).get("checks").has("inDoubtAge"), health.body());

                HttpResponse<String> resolve = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/api/resolve"))
                        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"gtrid\":\"" + tx.get("gtrid").asText()
                                + "\",\"verdict\":\"commit\"}")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(403, resolve.statusCode(), resolve.body());
                assertEquals("LKS-611", JSON.readTree(resolve.body()).get("id").asText());

                List<String> events = new ArrayList<>();
                CompletableFuture<Void> stream = readEventsUntilRetiredAndScanned(base, events);
                maria.restart(); // the same data and port: its prepared branch is still there
                JsonNode after = awaitNothingInDoubt(base, run.node);
                assertEquals(0, after.get("liveDecisions").size(), after.toString());
                try {
                    stream.get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    synchronized (events) {
                        throw new AssertionError("no retire then scan_finished on /api/events:\n"
                                + String.join("\n", events));
                    }
                }
                checkTheScanThatFinishedIt(events, tx.get("gtrid").asText());

                HttpResponse<String> metrics = get(base, "/metrics");
                assertEquals(200, metrics.statusCode(), metrics.body());
                assertTrue(metrics.body().contains("lockstep_recovery_actions_total{kind=\"commit\",ok=\"true\"}"),
                        metrics.body());
                assertTrue(metrics.body().contains("lockstep_recovery_scan_seconds_count"), metrics.body());
                assertTrue(metrics.body().contains("lockstep_indoubt_transactions 0.0"), metrics.body());
                stopped = daemon.stop(Duration.ofSeconds(60));
            }
        } finally {
            if (!maria.isRunning()) {
                maria.restart();
            }
        }
        assertEquals(RecoveryServiceProcess.OK, stopped.exitCode(), stopped.describe());
        assertTrue(stopped.stdout().contains("event=http_started"), stopped.describe());
        Checker.Report report = run.checker().check();
        assertTrue(report.ok(), report + "\n" + stopped.describe());
        assertEquals(Checker.Outcome.COMMITTED, report.outcomeOf(run.crashedTransfer()), report.toString());
    }

    /**
     * Reads {@code /api/events} from its first event on a thread of its own into {@code lines} (the data lines
     * joined to their event line: {@code id type data}) until a {@code retire} was followed by a {@code
     * scan_finished}.
     */
    private static CompletableFuture<Void> readEventsUntilRetiredAndScanned(String base, List<String> lines)
            throws IOException, InterruptedException {
        HttpResponse<Stream<String>> r = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/api/events"))
                .header("Last-Event-ID", "0").GET().build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        return CompletableFuture.runAsync(() -> {
            try (Stream<String> body = r.body()) {
                Iterator<String> it = body.iterator();
                String id = "";
                String type = "";
                boolean retired = false;
                while (it.hasNext()) {
                    String line = it.next();
                    if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("event: ")) {
                        type = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        synchronized (lines) {
                            lines.add(id + " " + type + " " + line.substring(6));
                        }
                        retired |= type.equals("retire");
                        if (retired && type.equals("scan_finished")) {
                            return;
                        }
                    }
                }
            }
        });
    }

    /**
     * In the stream: ids that increase by one, the take_over of the dead log, then the commit of the MariaDB branch
     * of {@code gtrid}, the end of its decision, the retirement of the log and a scan_finished, in this order.
     */
    private static void checkTheScanThatFinishedIt(List<String> events, String gtrid) throws IOException {
        List<String> seen = new ArrayList<>();
        long lastId = 0;
        for (String e : events) {
            String[] parts = e.split(" ", 3);
            long id = Long.parseLong(parts[0]);
            assertEquals(lastId + 1, id, "ids increase by one:\n" + String.join("\n", events));
            lastId = id;
            JsonNode data = JSON.readTree(parts[2]);
            String type = parts[1];
            boolean ours = gtrid.equals(data.path("gtrid").asText());
            if (type.equals("take_over") && seen.isEmpty()
                    || type.equals("commit") && ours && data.get("ok").asBoolean()
                            && data.get("resource").asText().equals(Endpoints.MARIA_RESOURCE)
                    || type.equals("end") && ours || type.equals("retire")
                    || type.equals("scan_finished") && seen.contains("retire")) {
                if (!seen.contains(type)) {
                    seen.add(type);
                }
            }
        }
        assertEquals(List.of("take_over", "commit", "end", "retire", "scan_finished"), seen,
                String.join("\n", events));
    }

    private static HttpResponse<String> get(String base, String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The node's one transaction in the listing; fails if there is not exactly one. */
    private static JsonNode inDoubtOf(HttpResponse<String> listing, String node) throws IOException {
        JsonNode found = null;
        for (JsonNode tx : JSON.readTree(listing.body()).get("inDoubt")) {
            if (tx.get("node").asText().equals(node)) {
                assertTrue(found == null, "one transaction of " + node + " in doubt: " + listing.body());
                found = tx;
            }
        }
        assertTrue(found != null, "the crashed transfer is in doubt: " + listing.body());
        return found;
    }

    private static JsonNode awaitNothingInDoubt(String base, String node) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = get(base, "/api/in-doubt");
            last = r.body();
            JsonNode root = JSON.readTree(last);
            boolean any = false;
            for (JsonNode tx : root.get("inDoubt")) {
                any |= tx.get("node").asText().equals(node);
            }
            if (r.statusCode() == 200 && !any) {
                return root;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("still in doubt after MariaDB came back:\n" + last);
    }

    private static int port(RecoveryServiceProcess.Daemon daemon) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = STARTED.matcher(daemon.stdout());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            assertTrue(daemon.isAlive(), "the daemon died:\n" + daemon.stdout());
            Thread.sleep(50);
        }
        throw new AssertionError("no http_started line:\n" + daemon.stdout());
    }

    private static void awaitScans(RecoveryServiceProcess.Daemon daemon, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (daemon.stdout().split("event=scan_done", -1).length - 1 < n) {
            assertTrue(System.nanoTime() < deadline, "fewer than " + n + " scans:\n" + daemon.stdout());
            assertTrue(daemon.isAlive(), "the daemon died:\n" + daemon.stdout());
            Thread.sleep(100);
        }
    }
}
