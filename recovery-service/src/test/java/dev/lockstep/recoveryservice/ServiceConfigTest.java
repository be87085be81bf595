package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.spi.RecoverableResource;
import dev.lockstep.tm.spi.ResourceVendor;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceConfigTest {

    @TempDir
    Path dir;

    private Path logs;

    @BeforeEach
    void logDirectory() throws IOException {
        logs = Files.createDirectory(dir.resolve("logs"));
    }

    private ServiceConfig parse(Map<String, String> env, String... lines) throws ConfigException, IOException {
        return ServiceConfig.parse(new StringReader(String.join("\n", lines)), dir, env);
    }

    private ServiceConfig parse(String... lines) throws ConfigException, IOException {
        return parse(Map.of(), lines);
    }

    /** The minimal valid file plus {@code lines}. */
    private ServiceConfig parseWithBase(String... lines) throws ConfigException, IOException {
        String[] all = new String[lines.length + 2];
        all[0] = "log.directory = " + logs;
        all[1] = "nodes = orders-1";
        System.arraycopy(lines, 0, all, 2, lines.length);
        return parse(all);
    }

    private ConfigException refused(String... lines) {
        return assertThrows(ConfigException.class, () -> parseWithBase(lines));
    }

    private static void assertProblem(ConfigException e, String key, String... fragments) {
        ConfigException.Problem p = e.problems().stream().filter(x -> key.equals(x.key())).findFirst()
                .orElseThrow(() -> new AssertionError("no problem for key " + key + " in " + e.problems()));
        for (String f : fragments) {
            assertTrue(p.message().contains(f), "'" + f + "' not in: " + p.message());
        }
    }

    // --- the database decision store ------------------------------------------------------------------------------

    @Test
    void theDecisionStoreNeedsNoLogDirectoryAndServesEveryNode() throws Exception {
        ServiceConfig c = parse(Map.of("STORE_PW", "s3cret"), "decision.store.url = jdbc:postgresql://db:5432/app",
                "decision.store.user = lockstep", "decision.store.password.env = STORE_PW",
                "decision.store.schema = ls_prod", "decision.store.lease = 20s", "nodes = *");
        assertTrue(c.allNodes());
        assertEquals(List.of(), c.nodes());
        assertNull(c.logDirectory());
        assertEquals(new ServiceConfig.StoreConfig("jdbc:postgresql://db:5432/app", "lockstep", "s3cret", "ls_prod",
                Duration.ofSeconds(20)), c.decisionStore());
        assertFalse(c.toString().contains("s3cret") || c.decisionStore().toString().contains("s3cret"),
                c.toString());
        ServiceConfig named = parse("decision.store.url = jdbc:postgresql://db/app", "nodes = pod-1, pod-2");
        assertFalse(named.allNodes());
        assertEquals(List.of("pod-1", "pod-2"), named.nodes());
        assertEquals("lockstep", named.decisionStore().schema());
        assertEquals(Duration.ofSeconds(15), named.decisionStore().lease());
    }

    @Test
    void everyNodeNeedsTheDecisionStoreAndItsSettingsAreChecked() {
        ConfigException star = assertThrows(ConfigException.class,
                () -> parse("log.directory = " + logs, "nodes = *"));
        assertProblem(star, "nodes", "needs the database decision store", "decision.store.url");
        ConfigException bad = assertThrows(ConfigException.class, () -> parse("nodes = *",
                "decision.store.url = jdbc:mysql://db/app", "decision.store.lease = 1s",
                "decision.store.password = a", "decision.store.password.env = B"));
        assertProblem(bad, "decision.store.url", "is not a jdbc:postgresql: URL");
        assertProblem(bad, "decision.store.lease", "must be between 2 s and 10 min");
        assertProblem(bad, "decision.store.password.env", "the decision store has 2 password sources");
        ConfigException unknown = assertThrows(ConfigException.class, () -> parse("nodes = *",
                "decision.store.url = jdbc:postgresql://db/app", "decision.store.leas = 20s"));
        assertProblem(unknown, "decision.store.leas", "unknown key");
    }

    // --- valid files -----------------------------------------------------------------------------------------------

    @Test
    void theMinimalFileTakesTheDefaults() throws Exception {
        ServiceConfig c = parseWithBase();
        assertEquals(logs, c.logDirectory());
        assertEquals(List.of("orders-1"), c.nodes());
        assertEquals(Duration.ofSeconds(10), c.scanInterval());
        assertEquals(Duration.ofSeconds(30), c.orphanSafetyInterval());
        assertEquals(Duration.ofSeconds(1), c.retryInitialDelay());
        assertEquals(Duration.ofSeconds(60), c.retryMaxDelay());
        assertTrue(c.resources().isEmpty());
    }

    @Test
    void readsEverySetting() throws Exception {
        Files.writeString(dir.resolve("billing.pw"), "s3cret\n");
        ServiceConfig c = parse(Map.of("PG_PW", "from-env"),
                "log.directory = logs",
                "nodes = orders-1, orders-2 ,billing.x_1",
                "scan.interval = 500ms",
                "orphan.safety.interval = 2m",
                "retry.initial.delay = 2s",
                "retry.max.delay = 1h",
                "resource.orders-db.kind = postgresql",
                "resource.orders-db.url = jdbc:postgresql://127.0.0.1:5432/orders",
                "resource.orders-db.user = rec",
                "resource.orders-db.password.env = PG_PW",
                "resource.billing.db.kind = mysql",
                "resource.billing.db.url = jdbc:mysql://127.0.0.1:3306/billing",
                "resource.billing.db.password.file = billing.pw",
                "resource.events.kind = artemis",
                "resource.events.url = tcp://127.0.0.1:61616",
                "resource.events.password = pw with trailing space ");
        assertEquals(logs, c.logDirectory(), "relative to the file's directory");
        assertEquals(List.of("orders-1", "orders-2", "billing.x_1"), c.nodes());
        assertEquals(Duration.ofMillis(500), c.scanInterval());
        assertEquals(Duration.ofMinutes(2), c.orphanSafetyInterval());
        assertEquals(Duration.ofSeconds(2), c.retryInitialDelay());
        assertEquals(Duration.ofHours(1), c.retryMaxDelay());
        assertEquals(List.of(
                new ResourceConfig("billing.db", vendor("mysql"), "jdbc:mysql://127.0.0.1:3306/billing", null,
                        "s3cret"),
                new ResourceConfig("events", vendor("artemis"), "tcp://127.0.0.1:61616", null,
                        "pw with trailing space "),
                new ResourceConfig("orders-db", vendor("postgresql"), "jdbc:postgresql://127.0.0.1:5432/orders",
                        "rec", "from-env")), c.resources());
    }

    @Test
    void createsOneRecoverableResourcePerBlockWithoutConnecting() throws Exception {
        ServiceConfig c = parseWithBase(
                "resource.pg.kind = postgresql", "resource.pg.url = jdbc:postgresql://127.0.0.1:1/x",
                "resource.my.kind = mysql", "resource.my.url = jdbc:mysql://127.0.0.1:1/x",
                "resource.mq.kind = artemis", "resource.mq.url = tcp://127.0.0.1:1");
        List<RecoverableResource> rs = c.createResources();
        assertEquals(List.of("mq", "my", "pg"), rs.stream().map(RecoverableResource::name).toList());
    }

    @Test
    void aPasswordFileLosesItsTrailingNewlinesOnly() throws Exception {
        Files.writeString(dir.resolve("pw"), "  two words \r\n\n", StandardCharsets.UTF_8);
        ServiceConfig c = parseWithBase("resource.pg.kind = postgresql", "resource.pg.url = jdbc:postgresql://h/d",
                "resource.pg.password.file = pw");
        assertEquals("  two words ", c.resources().get(0).password());
    }

    @Test
    void anEmptyEnvironmentVariableIsAnEmptyPassword() throws Exception {
        ServiceConfig c = parse(Map.of("PW", ""), "log.directory = " + logs, "nodes = n",
                "resource.pg.kind = postgresql", "resource.pg.url = jdbc:postgresql://h/d",
                "resource.pg.password.env = PW");
        assertEquals("", c.resources().get(0).password());
    }

    @Test
    void theEnvironmentIsTheInjectedOneNotTheProcesses() {
        String processVar = System.getenv().keySet().stream().findFirst().orElse("PATH");
        ConfigException e = assertThrows(ConfigException.class, () -> parse(Map.of(), "log.directory = " + logs,
                "nodes = n", "resource.pg.kind = postgresql", "resource.pg.url = jdbc:postgresql://h/d",
                "resource.pg.password.env = " + processVar));
        assertProblem(e, "resource.pg.password.env", processVar + " is not set");
    }

    @Test
    void theToStringHidesThePassword() throws Exception {
        ServiceConfig c = parseWithBase("resource.pg.kind = postgresql", "resource.pg.url = jdbc:postgresql://h/d",
                "resource.pg.password = hunter2");
        assertFalse(c.toString().contains("hunter2"), c.toString());
        assertFalse(c.resources().get(0).toString().contains("hunter2"));
    }

    @Test
    void loadReadsUtf8AndResolvesAgainstTheFilesDirectory() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("etc"));
        Files.writeString(sub.resolve("pw"), "pässwörd\n", StandardCharsets.UTF_8);
        Path file = sub.resolve("r.properties");
        Files.writeString(file, "log.directory = ../logs\nnodes = n\nresource.pg.kind = postgresql\n"
                + "resource.pg.url = jdbc:postgresql://h/d\nresource.pg.password.file = pw\n", StandardCharsets.UTF_8);
        ServiceConfig c = ServiceConfig.load(file, Map.of());
        assertEquals(logs, c.logDirectory());
        assertEquals("pässwörd", c.resources().get(0).password());
    }

    // --- errors: each names its key and the fix ---------------------------------------------------------------------

    @Test
    void aMissingFileIsAnErrorOfTheOption() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServiceConfig.load(dir.resolve("nope.properties"), Map.of()));
        assertEquals("--config", e.key());
        assertTrue(e.getMessage().contains("nope.properties"), e.getMessage());
    }

    @Test
    void aFileThatIsNotUtf8IsRefused() throws IOException {
        Path file = dir.resolve("latin1.properties");
        Files.write(file, new byte[] {'n', 'o', 'd', 'e', 's', '=', (byte) 0xE9, '\n'});
        ConfigException e = assertThrows(ConfigException.class, () -> ServiceConfig.load(file, Map.of()));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void requiredKeysMissing() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("scan.interval = 5s"));
        assertProblem(e, "log.directory", "log.directory is missing", "logDirectory");
        assertProblem(e, "nodes", "nodes is missing", "nodeId");
        assertEquals(2, e.problems().size(), e.problems().toString());
    }

    @Test
    void requiredKeysEmpty() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("log.directory =", "nodes = "));
        assertProblem(e, "log.directory", "log.directory is empty");
        assertProblem(e, "nodes", "nodes is empty");
    }

    @Test
    void aLogDirectoryThatDoesNotExist() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("log.directory = missing", "nodes = n"));
        assertProblem(e, "log.directory", "is not a directory", "logDirectory");
    }

    @Test
    void unknownKeysAreErrorsWithTheKnownKeysAndAHint() {
        ConfigException e = refused("scan.intervall = 5s", "colour = blue");
        assertProblem(e, "scan.intervall", "unknown key 'scan.intervall'", "did you mean 'scan.interval'?",
                "the keys are log.directory, nodes");
        assertProblem(e, "colour", "unknown key 'colour'");
    }

    @Test
    void unknownResourceAttribute() {
        ConfigException e = refused("resource.pg.kind = postgresql", "resource.pg.url = jdbc:postgresql://h/d",
                "resource.pg.usr = me", "resource.pg = x");
        assertProblem(e, "resource.pg.usr", "unknown key 'resource.pg.usr'", ".user");
        assertProblem(e, "resource.pg", "unknown key 'resource.pg'");
    }

    @Test
    void aKeySetTwice() {
        ConfigException e = refused("scan.interval = 5s", "scan.interval = 6s");
        assertProblem(e, "scan.interval", "set more than once");
    }

    private static ResourceVendor vendor(String kind) {
        return ResourceVendor.forKind(kind).orElseThrow();
    }

    @Test
    void badDurations() {
        // PT30S was refused here before Lockstep had one duration syntax; it now reads as everywhere (see below).
        ConfigException e = refused("scan.interval = 10", "orphan.safety.interval = 30sec",
                "retry.initial.delay = 0s", "retry.max.delay = 1.5m");
        assertProblem(e, "scan.interval", "scan.interval = '10' is not a duration", "500ms, 10s, 2m, 1h");
        assertProblem(e, "orphan.safety.interval", "'30sec' is not a duration");
        assertProblem(e, "retry.initial.delay", "longer than zero");
        assertProblem(e, "retry.max.delay", "'1.5m' is not a duration");
    }

    @Test
    void durationsAreLockstepsOneSyntaxIso8601Included() throws Exception {
        ServiceConfig c = parseWithBase("orphan.safety.interval = PT30S", "scan.interval = PT0.5S");
        assertEquals(Duration.ofSeconds(30), c.orphanSafetyInterval());
        assertEquals(Duration.ofMillis(500), c.scanInterval());
    }

    @Test
    void aBackoffCapBelowItsFirstDelay() {
        ConfigException e = refused("retry.initial.delay = 10s", "retry.max.delay = 5s");
        assertProblem(e, "retry.max.delay", "shorter than retry.initial.delay");
    }

    @Test
    void invalidNodeIds() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("log.directory = " + logs, "nodes = orders 1"));
        assertProblem(e, "nodes", "orders 1");
        e = assertThrows(ConfigException.class, () -> parse("log.directory = " + logs, "nodes = a,,b"));
        assertProblem(e, "nodes", "empty entry");
        e = assertThrows(ConfigException.class, () -> parse("log.directory = " + logs, "nodes = a, a"));
        assertProblem(e, "nodes", "twice");
        e = assertThrows(ConfigException.class, () -> parse("log.directory = " + logs, "nodes = .."));
        assertProblem(e, "nodes", "'..'");
        e = assertThrows(ConfigException.class, () -> parse("log.directory = " + logs, "nodes = " + "n".repeat(35)));
        assertProblem(e, "nodes", "choose a shorter one");
    }

    @Test
    void aResourceWithoutKindOrUrl() {
        ConfigException e = refused("resource.pg.user = me", "resource.mq.kind = artemis");
        assertProblem(e, "resource.pg.kind", "resource 'pg' has no kind", "postgresql, mysql, artemis");
        assertProblem(e, "resource.pg.url", "resource 'pg' has no URL");
        assertProblem(e, "resource.mq.url", "resource 'mq' has no URL", "tcp://");
    }

    @Test
    void anUnknownKind() {
        ConfigException e = refused("resource.db.kind = oracle", "resource.db.url = jdbc:oracle:thin:@h:1521/x",
                "resource.m.kind = mariadb", "resource.m.url = jdbc:mysql://h/d");
        assertProblem(e, "resource.db.kind", "'oracle' is not a kind", "write one of postgresql, mysql, artemis");
        assertProblem(e, "resource.m.kind", "MariaDB is kind mysql");
    }

    @Test
    void aUrlThatDoesNotFitTheKind() {
        ConfigException e = refused("resource.pg.kind = postgresql", "resource.pg.url = jdbc:mysql://h/d",
                "resource.mq.kind = artemis", "resource.mq.url = localhost:61616");
        assertProblem(e, "resource.pg.url", "does not fit kind postgresql", "jdbc:postgresql://");
        assertProblem(e, "resource.mq.url", "does not fit kind artemis", "tcp://");
    }

    @Test
    void aMysqlUrlThatPinsBranchesToConnectionsIsRefusedWhenResourcesAreMade() throws Exception {
        ServiceConfig c = parseWithBase("resource.my.kind = mysql",
                "resource.my.url = jdbc:mysql://h/d?pinGlobalTxToPhysicalConnection=true");
        ConfigException e = assertThrows(ConfigException.class, c::createResources);
        assertEquals("resource.my.url", e.key());
        assertTrue(e.getMessage().contains("pinGlobalTxToPhysicalConnection"), e.getMessage());
    }

    @Test
    void invalidResourceNames() {
        ConfigException e = refused("resource.p*g.kind = postgresql", "resource..url = jdbc:postgresql://h/d");
        assertProblem(e, "resource.p*g.kind", "resource name 'p*g'", "letters, digits");
        assertProblem(e, "resource..url", "resource name ''");
    }

    @Test
    void resourceNamesMayHoldDotsEvenBeforeAnAttributeName() throws Exception {
        ServiceConfig c = parse(Map.of("X", "pw"), "log.directory = " + logs, "nodes = n",
                "resource.a.password.kind = postgresql", "resource.a.password.url = jdbc:postgresql://h/d",
                "resource.a.password.password.env = X");
        assertEquals("a.password", c.resources().get(0).name());
        assertEquals("pw", c.resources().get(0).password());
    }

    @Test
    void anUnsetEnvironmentVariable() {
        ConfigException e = refused("resource.pg.kind = postgresql", "resource.pg.url = jdbc:postgresql://h/d",
                "resource.pg.password.env = PG_PASSWORD");
        assertProblem(e, "resource.pg.password.env", "PG_PASSWORD is not set", "resource.pg.password.file");
    }

    @Test
    void anUnreadablePasswordFile() throws IOException {
        Files.createDirectory(dir.resolve("a-directory"));
        ConfigException e = refused("resource.pg.kind = postgresql", "resource.pg.url = jdbc:postgresql://h/d",
                "resource.pg.password.file = no-such-file",
                "resource.q.kind = postgresql", "resource.q.url = jdbc:postgresql://h/d",
                "resource.q.password.file = a-directory");
        assertProblem(e, "resource.pg.password.file", "cannot read", "no-such-file", "NoSuchFileException");
        assertProblem(e, "resource.q.password.file", "cannot read", "a-directory");
    }

    @Test
    void twoPasswordSources() {
        ConfigException e = refused("resource.pg.kind = postgresql", "resource.pg.url = jdbc:postgresql://h/d",
                "resource.pg.password = a", "resource.pg.password.file = f");
        ConfigException.Problem p = e.problems().get(0);
        assertTrue(p.key().startsWith("resource.pg.password"), p.key());
        assertTrue(p.message().contains("2 password sources") && p.message().contains("keep exactly one"),
                p.message());
        e = refused("resource.pg.kind = postgresql", "resource.pg.url = jdbc:postgresql://h/d",
                "resource.pg.password = a", "resource.pg.password.env = E", "resource.pg.password.file = f");
        assertTrue(e.getMessage().contains("3 password sources"), e.getMessage());
    }

    @Test
    void emptyOptionalValues() {
        ConfigException e = refused("resource.pg.kind = postgresql", "resource.pg.url = jdbc:postgresql://h/d",
                "resource.pg.user =", "resource.pg.password.env =");
        assertProblem(e, "resource.pg.user", "is empty");
        assertProblem(e, "resource.pg.password.env", "is empty");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("nodes = a b", "scan.interval = x",
                "bogus = 1", "resource.pg.kind = db2"));
        List<String> keys = e.problems().stream().map(ConfigException.Problem::key).toList();
        assertTrue(keys.containsAll(List.of("log.directory", "nodes", "scan.interval", "bogus", "resource.pg.kind",
                "resource.pg.url")), keys.toString());
        assertEquals("bogus", e.key(), "unknown keys come first");
    }

    @Test
    void noPasswordAtAll() throws Exception {
        ServiceConfig c = parseWithBase("resource.pg.kind = postgresql", "resource.pg.url = jdbc:postgresql://h/d");
        assertNull(c.resources().get(0).password());
        assertNull(c.resources().get(0).user());
    }

    @Test
    void theShippedExampleIsValidOnceItsPathsAndVariablesExist() throws Exception {
        Path example = Path.of("lockstep-recovery.properties.example");
        String text = Files.readString(example)
                .replace("/var/lib/lockstep", logs.toString())
                .replace("/etc/lockstep/billing-db.password", "pw");
        Files.writeString(dir.resolve("pw"), "x\n");
        ServiceConfig c = ServiceConfig.parse(new StringReader(text), dir, Map.of("ORDERS_DB_PASSWORD", "y"));
        assertEquals(List.of("orders-1", "orders-2"), c.nodes());
        assertEquals(3, c.resources().size());
        assertEquals(3, c.createResources().size());
    }

    @Test
    void editDistance() {
        assertEquals(0, ServiceConfig.editDistance("nodes", "nodes"));
        assertEquals(1, ServiceConfig.editDistance("node", "nodes"));
        assertEquals(2, ServiceConfig.editDistance("scan.intreval", "scan.interval"));
    }
}
