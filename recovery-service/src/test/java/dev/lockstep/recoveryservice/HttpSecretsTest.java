package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.spi.NamedXAResource;
import jakarta.transaction.TransactionManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon ({@code run}, in-process) with its HTTP side, configured with a password of every kind (in the file,
 * in the environment, in a file of its own) and a token: every endpoint is called, refusals included, the metrics
 * scraped and the event stream read from its first event, and neither any answer nor any line the daemon or a
 * library printed holds a secret. The same run checks that the endpoints
 * work over a real recovery: the listing shows an open decision, a rollback of it is refused (409, LKS-223) and a
 * commit is recorded but not finished (202, its resources being unknown to the service).
 */
class HttpSecretsTest {

    private static final String NODE = "orders-1";
    private static final String PG_PASSWORD = "pg-literal-Secret-7d1f";
    private static final String MARIA_PASSWORD = "maria-file-Secret-2b9c";
    private static final String MQ_PASSWORD = "mq-env-Secret-5e3a";
    private static final String TOKEN = "http-token-Secret-0c4d8e2f";

    @TempDir
    Path dir;

    @Test
    void noSecretInAnyAnswerOrLogLine() throws Exception {
        Path logs = Files.createDirectory(dir.resolve("logs"));
        leaveACommitDecisionOpen(logs);
        Files.writeString(dir.resolve("maria.password"), MARIA_PASSWORD + "\n");
        Path cfg = Cli.config(dir, "log.directory = logs", "nodes = " + NODE, "scan.interval = 200ms",
                "resource.pg.kind = postgresql", "resource.pg.url = jdbc:postgresql://127.0.0.1:1/orders?connectTimeout=2",
                "resource.pg.user = recovery", "resource.pg.password = " + PG_PASSWORD,
                "resource.maria.kind = mysql", "resource.maria.url = jdbc:mysql://127.0.0.1:1/billing?connectTimeout=2000",
                "resource.maria.user = recovery", "resource.maria.password.file = maria.password",
                "resource.mq.kind = artemis", "resource.mq.url = tcp://127.0.0.1:1", "resource.mq.user = recovery",
                "resource.mq.password.env = MQ_PASSWORD",
                "http.port = 0", "http.token.env = LOCKSTEP_HTTP_TOKEN");

        ByteArrayOutputStream libraryLines = new ByteArrayOutputStream();
        Logger root = Logger.getLogger("");
        Level level = root.getLevel();
        LogfmtLogHandler capture = new LogfmtLogHandler(new PrintStream(libraryLines, true, StandardCharsets.UTF_8));
        root.addHandler(capture);
        root.setLevel(Level.INFO); // as the jar runs

        StopSignal stop = new StopSignal();
        Cli cli = new Cli(Map.of("MQ_PASSWORD", MQ_PASSWORD, "LOCKSTEP_HTTP_TOKEN", TOKEN), stop);
        Cli.Result[] result = new Cli.Result[1];
        Thread daemon = new Thread(() -> result[0] = cli.execute("run", "-c", cfg.toString()));
        List<String> answers = new ArrayList<>();
        try {
            daemon.start();
            String base = "http://127.0.0.1:" + awaitPort(cli);
            awaitScans(cli, 2);

            HttpResponse<String> listing = HttpTesting.get(base, "/api/in-doubt");
            answers.add(listing.body());
            assertEquals(200, listing.statusCode(), listing.body());
            JsonNode json = new ObjectMapper().readTree(listing.body());
            JsonNode tx = json.get("inDoubt").get(0);
            String gtrid = tx.get("gtrid").asText();
            assertEquals("COMMIT", tx.get("decision").asText());
            assertEquals(3, json.get("resources").size());
            json.get("resources").forEach(r -> assertFalse(r.get("error").isNull(), "each says why: " + r));

            HttpResponse<String> metrics = HttpTesting.get(base, "/metrics");
            answers.add(metrics.body());
            assertEquals(200, metrics.statusCode(), metrics.body());
            assertTrue(metrics.body().contains("lockstep_recovery_actions_total{kind=\"recover_scan\",ok=\"false\"}"),
                    "the unreachable resources are counted: " + metrics.body());
            // The whole history: the resources' connection failures (recover_scan, not ok) and the scans.
            List<String> stream = HttpTesting.eventLines(base, "0", "event: scan_finished"::equals,
                    Duration.ofSeconds(30));
            answers.add(String.join("\n", stream));
            assertTrue(stream.contains("event: recover_scan"), stream.toString());

            HttpResponse<String> health = HttpTesting.get(base, "/health");
            answers.add(health.body());
            assertEquals(200, health.statusCode(), "young, no heuristic, logs readable: " + health.body());

            String commit = "{\"gtrid\":\"" + gtrid + "\",\"verdict\":\"commit\"}";
            String rollback = "{\"gtrid\":\"" + gtrid + "\",\"verdict\":\"rollback\"}";
            HttpResponse<String> noToken = HttpTesting.post(base, "/api/resolve", commit, null);
            HttpResponse<String> wrong = HttpTesting.post(base, "/api/resolve", commit, TOKEN.substring(1));
            HttpResponse<String> bad = HttpTesting.post(base, "/api/resolve", "{\"gtrid\": " + TOKEN + "-" + TOKEN
                    + "}", TOKEN);
            HttpResponse<String> big = HttpTesting.post(base, "/api/resolve", "x".repeat(70_000), TOKEN);
            HttpResponse<String> refused = HttpTesting.post(base, "/api/resolve", rollback, TOKEN);
            HttpResponse<String> recorded = HttpTesting.post(base, "/api/resolve", commit, TOKEN);
            HttpResponse<String> nowhere = HttpTesting.get(base, "/api/" + TOKEN);
            for (HttpResponse<String> r : List.of(noToken, wrong, bad, big, refused, recorded, nowhere)) {
                answers.add(r.statusCode() + " " + r.headers().map() + " " + r.body());
            }
            assertEquals(List.of(401, 401, 400, 413, 409, 202, 404), List.of(noToken.statusCode(),
                    wrong.statusCode(), bad.statusCode(), big.statusCode(), refused.statusCode(),
                    recorded.statusCode(), nowhere.statusCode()), answers.toString());
            assertTrue(refused.body().contains(TmMessage.RESOLVE_ROLLBACK_OF_COMMIT.id()), refused.body());
        } finally {
            stop.requestStop();
            daemon.join(Duration.ofSeconds(60).toMillis());
            root.removeHandler(capture);
            root.setLevel(level);
        }
        assertFalse(daemon.isAlive(), "run did not stop");
        assertEquals(ExitCodes.OK, result[0].code(), result[0].toString());
        assertTrue(result[0].out().contains("event=resolved gtrid="), result[0].toString());

        List<String> outputs = new ArrayList<>(answers);
        outputs.add(result[0].out());
        outputs.add(result[0].err());
        outputs.add(libraryLines.toString(StandardCharsets.UTF_8));
        for (String secret : List.of(PG_PASSWORD, MARIA_PASSWORD, MQ_PASSWORD, TOKEN)) {
            for (String output : outputs) {
                assertFalse(output.contains(secret), "a secret shows: " + secret + " in\n" + output);
            }
        }
    }

    private static int awaitPort(Cli cli) throws InterruptedException {
        Pattern started = Pattern.compile("event=http_started address=127\\.0\\.0\\.1 port=(\\d+)");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = started.matcher(cli.out.toString());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no http_started line:\n" + cli.out + cli.err);
    }

    private static void awaitScans(Cli cli, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (cli.out.toString().split("event=scan_done", -1).length - 1 < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + n + " scans:\n" + cli.out + cli.err);
            }
            Thread.sleep(20);
        }
    }

    /** A COMMIT decision without END whose resources (db-a, db-b) the service does not know. */
    private static void leaveACommitDecisionOpen(Path logs) throws Exception {
        try (Lockstep ls = Lockstep.builder().nodeId(NODE).logDirectory(logs).logSegmentBytes(64 * 1024)
                .retryInitialDelay(Duration.ofMinutes(10)).retryMaxDelay(Duration.ofMinutes(10)).build()) {
            TransactionManager tm = ls.transactionManager();
            tm.begin();
            for (String name : List.of("db-a", "db-b")) {
                tm.getTransaction().enlistResource(NamedXAResource.wrap(name, new ScriptedXAResource(name)
                        .failAlways(ScriptedXAResource.Verb.COMMIT, new XAException(XAException.XAER_RMFAIL))));
            }
            tm.commit();
        }
    }
}
