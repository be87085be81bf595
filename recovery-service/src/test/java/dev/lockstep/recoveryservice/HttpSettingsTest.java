package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The http.* keys: off by default, loopback unless told, the token's sources and the mistakes around them. */
class HttpSettingsTest {

    private static final String TOKEN = "a-token-of-enough-characters";

    @TempDir
    Path dir;

    @BeforeEach
    void logDirectory() throws IOException {
        Files.createDirectories(dir.resolve("logs"));
    }

    private ServiceConfig parse(Map<String, String> env, String... lines) throws ConfigException, IOException {
        List<String> all = new java.util.ArrayList<>(List.of("log.directory = logs", "nodes = orders-1"));
        all.addAll(List.of(lines));
        return ServiceConfig.parse(new StringReader(String.join("\n", all)), dir, env);
    }

    private List<ConfigException.Problem> problems(Map<String, String> env, String... lines) {
        return assertThrows(ConfigException.class, () -> parse(env, lines)).problems();
    }

    @Test
    void theHttpSideIsOffUnlessAPortIsSet() throws Exception {
        assertTrue(parse(Map.of()).http().isEmpty());
    }

    @Test
    void itBindsToTheLoopbackWithResolveDisabledByDefault() throws Exception {
        HttpSettings.HttpConfig http = parse(Map.of(), "http.port = 8049").http().orElseThrow();
        assertTrue(http.address().isLoopbackAddress(), http.toString());
        assertEquals(8049, http.port());
        assertNull(http.token());
        assertEquals(Duration.ofMinutes(5), http.inDoubtAgeLimit());
    }

    @Test
    void theEventStreamKeysHaveDefaultsAndBounds() throws Exception {
        HttpSettings.HttpConfig dflt = parse(Map.of(), "http.port = 0").http().orElseThrow();
        assertEquals(new HttpSettings.EventStreamConfig(1000, Duration.ofSeconds(15), 16), dflt.events());
        HttpSettings.HttpConfig set = parse(Map.of(), "http.port = 0", "http.events.history = 50",
                "http.events.heartbeat = 2s", "http.events.clients = 3").http().orElseThrow();
        assertEquals(new HttpSettings.EventStreamConfig(50, Duration.ofSeconds(2), 3), set.events());
        List<ConfigException.Problem> bad = problems(Map.of(), "http.port = 0", "http.events.history = 0",
                "http.events.heartbeat = 0s", "http.events.clients = many");
        assertEquals(List.of(HttpSettings.EVENTS_HISTORY, HttpSettings.EVENTS_HEARTBEAT, HttpSettings.EVENTS_CLIENTS),
                bad.stream().map(ConfigException.Problem::key).toList(), bad.toString());
        assertTrue(bad.get(0).message().contains("between 1 and 100000, got 0"), bad.toString());
        List<ConfigException.Problem> off = problems(Map.of(), "http.events.history = 50");
        assertTrue(off.get(0).message().contains("http.port is not"), off.toString());
    }

    @Test
    void theTokenComesFromAFileOrTheEnvironmentAndIsNeverPrinted() throws Exception {
        Files.writeString(dir.resolve("token"), TOKEN + "\n");
        HttpSettings.HttpConfig fromFile = parse(Map.of(), "http.port = 0", "http.token.file = token").http()
                .orElseThrow();
        assertEquals(TOKEN, fromFile.token(), "one trailing newline dropped");
        HttpSettings.HttpConfig fromEnv = parse(Map.of("LOCKSTEP_TOKEN", TOKEN), "http.port = 0",
                "http.token.env = LOCKSTEP_TOKEN", "http.address = 0.0.0.0", "http.health.in.doubt.age = 90s")
                .http().orElseThrow();
        assertEquals(TOKEN, fromEnv.token());
        assertFalse(fromEnv.address().isLoopbackAddress());
        assertEquals(Duration.ofSeconds(90), fromEnv.inDoubtAgeLimit());
        assertFalse(fromEnv.toString().contains(TOKEN), fromEnv.toString());
        ServiceConfig cfg = parse(Map.of("LOCKSTEP_TOKEN", TOKEN), "http.port = 0", "http.token.env = LOCKSTEP_TOKEN");
        assertFalse(cfg.toString().contains(TOKEN), cfg.toString());
        assertTrue(cfg.toString().contains("token=from http.token.env = LOCKSTEP_TOKEN"), cfg.toString());
    }

    @Test
    void mistakesNameTheirKey() {
        assertEquals("http.port", problems(Map.of(), "http.port = 70000").get(0).key());
        assertEquals("http.port", problems(Map.of(), "http.port = eighty").get(0).key());
        assertEquals("http.address", problems(Map.of(), "http.port = 1", "http.address = no.such.host.invalid")
                .get(0).key());
        assertEquals("http.token.file", problems(Map.of("T", TOKEN), "http.port = 1", "http.token.file = token",
                "http.token.env = T").get(0).key());
        ConfigException.Problem unset = problems(Map.of(), "http.port = 1", "http.token.env = NOPE").get(0);
        assertTrue(unset.message().contains("environment variable NOPE is not set"), unset.message());
        ConfigException.Problem missing = problems(Map.of(), "http.port = 1", "http.token.file = nope").get(0);
        assertTrue(missing.message().contains("cannot read"), missing.message());
    }

    @Test
    void aShortTokenIsRefusedWithoutShowingIt() {
        ConfigException.Problem p = problems(Map.of("T", "short-secret"), "http.port = 1", "http.token.env = T")
                .get(0);
        assertEquals("http.token.env", p.key());
        assertTrue(p.message().contains("at least " + HttpSettings.MIN_TOKEN_CHARS), p.message());
        assertFalse(p.message().contains("short-secret"), p.message());
    }

    @Test
    void httpKeysWithoutAPortAreAMistake() {
        List<ConfigException.Problem> ps = problems(Map.of("T", TOKEN), "http.token.env = T",
                "http.address = 127.0.0.1");
        assertEquals(List.of("http.address", "http.token.env"), ps.stream().map(ConfigException.Problem::key)
                .toList());
        assertTrue(ps.get(0).message().contains("set http.port"), ps.get(0).message());
    }
}
