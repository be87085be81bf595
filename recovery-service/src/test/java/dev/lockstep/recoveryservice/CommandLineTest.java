package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogManifest;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.recovery.Recovery;
import dev.lockstep.tm.spi.NamedXAResource;
import jakarta.transaction.TransactionManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command in-process, through picocli as the jar runs it: exit codes and what is printed where. */
class CommandLineTest {

    private static final String NODE = "orders-1";

    @TempDir
    Path dir;

    private Path logs;
    private Path config;

    @BeforeEach
    void emptyLogDirectoryAndNoResources() throws IOException {
        logs = Files.createDirectory(dir.resolve("logs"));
        config = Cli.config(dir, "log.directory = logs", "nodes = " + NODE);
    }

    /** Commits {@code count} transactions with two branches each through a real Lockstep, then closes it. */
    private void commitTransactions(int count) throws Exception {
        try (Lockstep ls = Lockstep.builder().nodeId(NODE).logDirectory(logs).logSegmentBytes(64 * 1024).build()) {
            TransactionManager tm = ls.transactionManager();
            for (int i = 0; i < count; i++) {
                tm.begin();
                tm.getTransaction().enlistResource(resource("db-a"));
                tm.getTransaction().enlistResource(resource("db-b"));
                tm.commit();
            }
        }
    }

    /**
     * Commits one transaction whose branches both fail phase two (XAER_RMFAIL), and closes the TM before its
     * background retries: the log keeps a COMMIT without END, as a crash after the decision would leave it.
     */
    private void leaveACommitDecisionOpen() throws Exception {
        try (Lockstep ls = Lockstep.builder().nodeId(NODE).logDirectory(logs).logSegmentBytes(64 * 1024)
                .retryInitialDelay(Duration.ofMinutes(10)).retryMaxDelay(Duration.ofMinutes(10)).build()) {
            TransactionManager tm = ls.transactionManager();
            tm.begin();
            tm.getTransaction().enlistResource(unreachableInPhaseTwo("db-a"));
            tm.getTransaction().enlistResource(unreachableInPhaseTwo("db-b"));
            tm.commit();
        }
    }

    /** A resource that votes OK and commits: enough to write a real log. */
    private static NamedXAResource resource(String name) {
        return NamedXAResource.wrap(name, new ScriptedXAResource(name));
    }

    /** A resource that votes OK and answers every commit XAER_RMFAIL, so the decision stays open. */
    private static NamedXAResource unreachableInPhaseTwo(String name) {
        return NamedXAResource.wrap(name, new ScriptedXAResource(name)
                .failAlways(ScriptedXAResource.Verb.COMMIT, new XAException(XAException.XAER_RMFAIL)));
    }

    private Path onlySegment() throws IOException {
        try (var files = Files.list(logs.resolve(NODE))) {
            List<Path> segs = files.filter(f -> f.getFileName().toString().endsWith(".seg")).sorted().toList();
            assertEquals(1, segs.size(), segs.toString());
            return segs.get(0);
        }
    }

    /**
     * Puts the manifest of {@code seg}'s incarnation back to {@code seg} OPEN, as a process that died in a write leaves
     * it: a clean close (these tests' Lockstep closes) seals the open segment, and bytes after a sealed segment's data
     * end are no torn tail.
     */
    private static void asIfItDied(Path seg) throws IOException {
        long incarnation = LogLayout.incarnationOf(seg).getAsLong();
        Files.write(seg.resolveSibling(LogLayout.manifestFileName(incarnation)), new LogManifest(incarnation, false,
                List.of(LogManifest.Segment.open(LogLayout.segmentNumberOf(seg).getAsLong()))).encode());
    }

    // --- usage -----------------------------------------------------------------------------------------------------

    @Test
    void aMissingConfigOptionIsAUsageErrorWithPicocliUsage() {
        Cli.Result r = Cli.run("scan");
        assertEquals(ExitCodes.USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("Missing required option: '--config=FILE'"), r.toString());
        assertTrue(r.err().contains("Usage:"), r.toString());
    }

    @Test
    void noCommandIsAUsageError() {
        Cli.Result r = Cli.run();
        assertEquals(ExitCodes.USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("Missing command"), r.toString());
    }

    @Test
    void helpListsTheCommandsAndExitCodes() {
        Cli.Result r = Cli.run("--help");
        assertEquals(ExitCodes.OK, r.code(), r.toString());
        for (String s : new String[] {"run", "scan", "list", "resolve", "log", "Exit codes:"}) {
            assertTrue(r.out().contains(s), s + " in " + r.out());
        }
    }

    @Test
    void aBadKeyIsAConfigurationErrorNamingIt() throws IOException {
        Path bad = Cli.config(dir, "log.directory = logs", "nodes = " + NODE, "scan.intervall = 5s");
        for (String cmd : new String[] {"scan", "run", "list", "log"}) {
            Cli.Result r = cmd.equals("log") ? Cli.run("log", "dump", "-c", bad.toString())
                    : Cli.run(cmd, "-c", bad.toString());
            assertEquals(ExitCodes.USAGE, r.code(), cmd + ": " + r);
            assertTrue(r.err().contains("level=error event=config_error key=scan.intervall"), r.toString());
            assertTrue(r.err().contains("did you mean 'scan.interval'?"), r.toString());
            assertEquals("", r.out(), "errors go to stderr");
        }
    }

    @Test
    void aMissingConfigFileIsAUsageError() {
        Cli.Result r = Cli.run("scan", "-c", dir.resolve("nope.properties").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("key=--config"), r.toString());
    }

    // --- scan ------------------------------------------------------------------------------------------------------

    @Test
    void scanOfAnEmptyLogDirectoryWithNoResourcesIsClean() {
        Cli.Result r = Cli.run("scan", "-c", config.toString());
        assertEquals(ExitCodes.OK, r.code(), r.toString());
        assertTrue(r.out().contains("event=scan_done"), r.toString());
        assertTrue(r.out().contains("clean=true"), r.toString());
        assertEquals("", r.err());
    }

    @Test
    void scanTakesOverAndRetiresTheLogOfADeadIncarnationWithNothingOpen() throws Exception {
        commitTransactions(1);
        Cli.Result r = Cli.run("scan", "-c", config.toString());
        assertEquals(ExitCodes.OK, r.code(), r.toString());
        assertTrue(r.out().contains("event=take_over ok=true node=" + NODE), r.toString());
        assertTrue(r.out().contains("event=retire ok=true node=" + NODE), r.toString());
    }

    @Test
    void anUnreachableResourceLeavesTheScanInDoubt() throws IOException {
        // Port 1 on the loopback: refused at once, nothing listens there.
        Path cfg = Cli.config(dir, "log.directory = logs", "nodes = " + NODE, "resource.pg.kind = postgresql",
                "resource.pg.url = jdbc:postgresql://127.0.0.1:1/orders?connectTimeout=2", "resource.pg.user = x");
        Cli.Result r = Cli.run("scan", "-c", cfg.toString());
        assertEquals(ExitCodes.IN_DOUBT, r.code(), r.toString());
        assertTrue(r.out().contains("event=resource_unreachable resource=pg"), r.toString());
        assertTrue(r.out().contains("resources_reachable=0/1"), r.toString());
    }

    /*
     * Scenario: a COMMIT decision without END whose resources (db-a, db-b) are not configured in the service.
     * Expected: list shows it (owner dead, decision commit, branches unknown, the reason); scan leaves it in doubt
     * (exit 1) and says why; resolve --rollback is refused (5) since the decision is commit; resolve --commit records
     * the operator's decision but cannot finish the branches (1).
     */
    @Test
    void aCommitDecisionWhoseResourcesAreNotConfiguredStaysInDoubt() throws Exception {
        leaveACommitDecisionOpen();
        Cli.Result json = Cli.run("list", "--json", "-c", config.toString());
        assertEquals(ExitCodes.OK, json.code(), json.toString());
        JsonNode tx = new ObjectMapper().readTree(json.out()).get("inDoubt").get(0);
        String gtrid = tx.get("gtrid").asText();
        assertEquals(NODE, tx.get("node").asText());
        assertEquals("DEAD", tx.get("owner").asText());
        assertEquals("COMMIT", tx.get("decision").asText());
        assertEquals("db-a", tx.get("branches").get(0).get("resource").asText());
        assertEquals("UNKNOWN", tx.get("branches").get(0).get("state").asText());
        assertTrue(tx.get("waitingFor").asText().contains("not configured"), json.out());

        Cli.Result table = Cli.run("list", "-c", config.toString());
        assertTrue(table.out().contains("1 transaction(s) in doubt:"), table.toString());
        assertTrue(table.out().contains("    gtrid      " + gtrid), table.toString());
        assertTrue(table.out().contains("    branch     db-b/00000002  unknown"), table.toString());

        Cli.Result scan = Cli.run("scan", "-c", config.toString());
        assertEquals(ExitCodes.IN_DOUBT, scan.code(), scan.toString());
        assertTrue(scan.out().contains("level=warn event=in_doubt node=" + NODE + " gtrid=" + gtrid), scan.toString());
        assertTrue(scan.out().contains("clean=false"), scan.toString());

        Cli.Result refused = Cli.run("resolve", "--rollback", "-c", config.toString(), gtrid);
        assertEquals(ExitCodes.RESOLVE_REFUSED, refused.code(), refused.toString());
        assertTrue(refused.err().contains("event=resolve_refused"), refused.toString());
        assertTrue(refused.err().contains(TmMessage.RESOLVE_ROLLBACK_OF_COMMIT + " "), refused.toString());

        Cli.Result commit = Cli.run("resolve", "--commit", "-c", config.toString(), gtrid.toUpperCase());
        assertEquals(ExitCodes.IN_DOUBT, commit.code(), commit.toString());
        assertTrue(commit.out().contains("event=resolved gtrid=" + gtrid + " verdict=commit"), commit.toString());
    }

    @Test
    void aSecondRecoveryOnTheSameNodeExitsWith4() throws Exception {
        commitTransactions(1);
        try (Recovery held = Recovery.builder().logDirectory(logs).nodeId(NODE).build()) {
            for (String cmd : new String[] {"scan", "run"}) {
                Cli.Result r = Cli.run(cmd, "-c", config.toString());
                assertEquals(ExitCodes.LOCKED, r.code(), cmd + ": " + r);
                assertTrue(r.err().contains("event=locked node=" + NODE), r.toString());
                assertTrue(r.err().contains("LKS-201"), r.toString());
            }
            Cli.Result list = Cli.run("list", "-c", config.toString());
            assertEquals(ExitCodes.OK, list.code(), "list is read-only and works beside a recovery: " + list);
        }
    }

    @Test
    void aCorruptLogExitsWith3NamingFileAndOffset() throws Exception {
        commitTransactions(2);
        Path seg = onlySegment();
        // The first record starts at 37: after the 24-byte segment header and its batch's 13-byte MARK frame
        // (docs/log-format.md); the second batch's MARK says it was forced, so the damage is corruption.
        flipByte(seg, 37 + 8 + 4); // inside the payload of the first record

        Cli.Result dump = Cli.run("log", "dump", "-c", config.toString());
        assertEquals(ExitCodes.LOG_UNUSABLE, dump.code(), dump.toString());
        assertTrue(dump.err().contains("event=log_unusable node=" + NODE), dump.toString());
        assertTrue(dump.err().contains("file=" + seg) && dump.err().contains("offset=37"), dump.toString());
        assertTrue(dump.out().contains("CORRUPT at " + seg.getFileName() + " @37"), dump.toString());

        Cli.Result scan = Cli.run("scan", "-c", config.toString());
        assertEquals(ExitCodes.LOG_UNUSABLE, scan.code(), scan.toString());
        assertTrue(scan.err().contains(seg.toString()) && scan.err().contains("offset 37"), scan.toString());

        Cli.Result list = Cli.run("list", "-c", config.toString());
        assertEquals(ExitCodes.LOG_UNUSABLE, list.code(), list.toString());
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.flip();
            byte flipped = (byte) (b.get(0) ^ 0x5A);
            ch.write(ByteBuffer.wrap(new byte[] {flipped}), offset);
        }
    }

    // --- log dump --------------------------------------------------------------------------------------------------

    @Test
    void logDumpShowsTheCommitAndEndRecordsOfARealLog() throws Exception {
        commitTransactions(1);
        Path seg = onlySegment();
        Cli.Result r = Cli.run("log", "dump", "-c", config.toString());
        assertEquals(ExitCodes.OK, r.code(), r.toString());
        String out = r.out();
        assertTrue(out.contains("node " + NODE), out);
        // @37: after the segment header (24 bytes) and the batch's MARK frame (13), which the dump does not show
        Matcher commit = Pattern.compile(Pattern.quote(seg.getFileName().toString()) + " @37 COMMIT gtrid=([0-9a-f]+) "
                + "\\((" + NODE + ":\\d+:1)\\) begun=\\S+Z timeout=60s decided=\\S+Z branches=\\[db-a/00000001, "
                + "db-b/00000002\\]").matcher(out);
        assertTrue(commit.find(), out);
        String gtrid = commit.group(1);
        assertTrue(out.contains(" END gtrid=" + gtrid + " (" + commit.group(2) + ")"), out);
        assertTrue(out.contains("2 records, 0 decisions open"), out);
        assertTrue(GtridText.parseHex(gtrid).isPresent());
    }

    @Test
    void logDumpOfOneNode() throws Exception {
        commitTransactions(1);
        Cli.Result r = Cli.run("log", "dump", "--node", NODE, "-c", config.toString());
        assertEquals(ExitCodes.OK, r.code(), r.toString());
        Cli.Result other = Cli.run("log", "dump", "--node", "billing-1", "-c", config.toString());
        assertEquals(ExitCodes.LOG_UNUSABLE, other.code(), other.toString());
        assertTrue(other.err().contains("node billing-1 has no log"), other.toString());
        Cli.Result bad = Cli.run("log", "dump", "--node", "a/b", "-c", config.toString());
        assertEquals(ExitCodes.USAGE, bad.code(), bad.toString());
        assertTrue(bad.err().contains("key=--node"), bad.toString());
    }

    @Test
    void logDumpShowsATornTail() throws Exception {
        commitTransactions(1);
        Path seg = onlySegment();
        asIfItDied(seg);
        // A frame header promising more bytes than follow: a write that never completed.
        String dump = Cli.run("log", "dump", "-c", config.toString()).out();
        Matcher end = Pattern.compile("@(\\d+) END").matcher(dump);
        assertTrue(end.find(), dump);
        long endOffset = Long.parseLong(end.group(1));
        long tail = endOffset + 8 + 2 + gtridLength(dump); // frame header, type, length, gtrid
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 40, 1, 2, 3, 4, 1}), tail);
        }
        Cli.Result r = Cli.run("log", "dump", "-c", config.toString());
        assertEquals(ExitCodes.OK, r.code(), "a torn tail is harmless: " + r);
        assertTrue(r.out().contains("torn tail at " + seg.getFileName() + " @" + tail), r.toString());
    }

    private static int gtridLength(String dump) {
        Matcher m = Pattern.compile("END gtrid=([0-9a-f]+)").matcher(dump);
        assertTrue(m.find(), dump);
        return m.group(1).length() / 2;
    }

    // --- list ------------------------------------------------------------------------------------------------------

    @Test
    void listPrintsATableOrJsonAndTakesNoLock() throws Exception {
        commitTransactions(1);
        Cli.Result table = Cli.run("list", "-c", config.toString());
        assertEquals(ExitCodes.OK, table.code(), table.toString());
        assertTrue(table.out().contains("Nothing in doubt."), table.toString());

        Cli.Result json = Cli.run("list", "--json", "-c", config.toString());
        assertEquals(ExitCodes.OK, json.code(), json.toString());
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertTrue(root.get("clean").asBoolean(), json.out());
        assertEquals(0, root.get("inDoubt").size());
        assertEquals(0, root.get("logProblems").size());
        assertFalse(Files.exists(logs.resolve(NODE).resolve(Recovery.RECOVERY_LOCK)), "read-only: no lock file made");
    }

    @Test
    void listShowsUnreachableResources() throws Exception {
        commitTransactions(1);
        Path cfg = Cli.config(dir, "log.directory = logs", "nodes = " + NODE, "resource.pg.kind = postgresql",
                "resource.pg.url = jdbc:postgresql://127.0.0.1:1/orders?connectTimeout=2");
        Cli.Result r = Cli.run("list", "--json", "-c", cfg.toString());
        assertEquals(ExitCodes.OK, r.code(), r.toString());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertFalse(root.get("clean").asBoolean());
        JsonNode pg = root.get("resources").get(0);
        assertEquals("pg", pg.get("name").asText());
        assertFalse(pg.get("reachable").asBoolean());
        assertFalse(pg.get("error").isNull(), r.out());

        Cli.Result table = Cli.run("list", "-c", cfg.toString());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("pg") && l.contains(" no ")), table.toString());
    }

    /*
     * Scenario: a configured node that never ran (no log at all). Expected: list exits 3 with the same event as
     * log dump (log_unusable, naming the node and LKS-209), and its JSON names the node in nodesWithoutLog and as a
     * NO_LOG finding; scan is not troubled by it (a service may be set up before its nodes start).
     */
    @Test
    void listOfANodeWithoutAnyLogExits3AsLogDumpDoes() throws Exception {
        Cli.Result json = Cli.run("list", "--json", "-c", config.toString());
        assertEquals(ExitCodes.LOG_UNUSABLE, json.code(), json.toString());
        assertTrue(json.err().contains("level=error event=log_unusable node=" + NODE + " detail=\"" 
                + TmMessage.NODE_WITHOUT_LOG + " "), json.toString());
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertEquals(NODE, root.get("nodesWithoutLog").get(0).asText());
        JsonNode finding = root.get("logFindings").get(0);
        assertEquals("NO_LOG", finding.get("kind").asText());
        assertFalse(finding.get("problem").asBoolean());
        assertEquals(TmMessage.NODE_WITHOUT_LOG.id(), finding.get("id").asText());

        Cli.Result table = Cli.run("list", "-c", config.toString());
        assertEquals(ExitCodes.LOG_UNUSABLE, table.code(), table.toString());
        assertTrue(table.out().contains("Notes on the logs:"), table.toString());

        Cli.Result dump = Cli.run("log", "dump", "-c", config.toString());
        assertEquals(ExitCodes.LOG_UNUSABLE, dump.code(), dump.toString());
        assertTrue(dump.err().contains("event=log_unusable node=" + NODE) && dump.err().contains(
                TmMessage.NODE_WITHOUT_LOG.id()), dump.toString());
        assertEquals(ExitCodes.OK, Cli.run("scan", "-c", config.toString()).code());
    }

    /*
     * Scenario: a corrupt log and a torn tail. Expected: list's JSON gives the corrupt log's file and offset as
     * fields of a CORRUPT finding (with LKS-205), and a TORN_TAIL finding for an ignored tail, which is no problem.
     */
    @Test
    void listGivesACorruptLogsFileAndOffsetAndTornTailsAsFields() throws Exception {
        commitTransactions(2); // two batches: the second one's MARK says the first was forced
        Path seg = onlySegment();
        asIfItDied(seg);
        String dump = Cli.run("log", "dump", "-c", config.toString()).out();
        Matcher end = Pattern.compile("@(\\d+) END").matcher(dump);
        long lastEnd = -1;
        while (end.find()) {
            lastEnd = Long.parseLong(end.group(1));
        }
        assertTrue(lastEnd > 0, dump);
        long tail = lastEnd + 8 + 2 + gtridLength(dump);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 40, 1, 2, 3, 4, 1}), tail);
        }
        Cli.Result torn = Cli.run("list", "--json", "-c", config.toString());
        assertEquals(ExitCodes.OK, torn.code(), "a torn tail is harmless: " + torn);
        JsonNode finding = new ObjectMapper().readTree(torn.out()).get("logFindings").get(0);
        assertEquals("TORN_TAIL", finding.get("kind").asText(), torn.out());
        assertEquals(seg.toString(), finding.get("file").asText());
        assertEquals(tail, finding.get("offset").asLong());
        assertTrue(finding.get("id").isNull());

        flipByte(seg, 37 + 8 + 4); // inside the first record, which a later batch's MARK says was forced
        Cli.Result corrupt = Cli.run("list", "--json", "-c", config.toString());
        assertEquals(ExitCodes.LOG_UNUSABLE, corrupt.code(), corrupt.toString());
        JsonNode root = new ObjectMapper().readTree(corrupt.out());
        JsonNode c = null;
        for (JsonNode f : root.get("logFindings")) {
            if (f.get("kind").asText().equals("CORRUPT")) {
                c = f;
            }
        }
        assertTrue(c != null, corrupt.out());
        assertEquals(seg.toString(), c.get("file").asText());
        assertEquals(37, c.get("offset").asLong());
        assertEquals(TmMessage.CORRUPT_LOG.id(), c.get("id").asText());
        assertTrue(c.get("problem").asBoolean());
        assertEquals(c.get("detail").asText(), root.get("logProblems").get(0).asText());
    }

    // --- resolve ---------------------------------------------------------------------------------------------------

    @Test
    void resolveNeedsExactlyOneVerdictAndAHexGtrid() {
        String c = config.toString();
        assertEquals(ExitCodes.USAGE, Cli.run("resolve", "-c", c, "0102").code());
        assertEquals(ExitCodes.USAGE, Cli.run("resolve", "--commit", "--rollback", "-c", c, "0102").code());
        Cli.Result r = Cli.run("resolve", "--commit", "-c", c, "not-hex");
        assertEquals(ExitCodes.USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("key=GTRID"), r.toString());
    }

    @Test
    void resolveOfAnotherNodesTransactionIsAConfigurationError() {
        Cli.Result r = Cli.run("resolve", "--rollback", "-c", config.toString(), gtridHex("billing-1", 1, 7));
        assertEquals(ExitCodes.USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("belongs to node 'billing-1'"), r.toString());
    }

    @Test
    void resolveOfATransactionNobodyKnowsIsRefused() {
        Cli.Result r = Cli.run("resolve", "--commit", "-c", config.toString(), gtridHex(NODE, 1, 7));
        assertEquals(ExitCodes.RESOLVE_REFUSED, r.code(), r.toString());
        assertTrue(r.err().contains("event=resolve_refused"), r.toString());
    }

    /** A gtrid of layout version 1, as txmanager writes them. */
    static String gtridHex(String node, long incarnation, long sequence) {
        byte[] id = node.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(30 + id.length);
        b.put((byte) 1).put((byte) id.length).put(id).putLong(incarnation).putLong(1_700_000_000_000L).putInt(60)
                .putLong(sequence);
        return GtridText.hex(b.array());
    }

    // --- run -------------------------------------------------------------------------------------------------------

    @Test
    void runScansUntilStoppedThenReleasesTheLocksAndExits0() throws Exception {
        Path cfg = Cli.config(dir, "log.directory = logs", "nodes = " + NODE, "scan.interval = 50ms");
        StopSignal stop = new StopSignal();
        Cli cli = new Cli(Map.of(), stop);
        Cli.Result[] result = new Cli.Result[1];
        Thread t = new Thread(() -> result[0] = cli.execute("run", "-c", cfg.toString()));
        t.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (count(cli.out.toString(), "event=scan_done") < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(count(cli.out.toString(), "event=scan_done") >= 3, cli.out.toString() + cli.err);
        Cli.Result second = Cli.run("scan", "-c", cfg.toString());
        assertEquals(ExitCodes.LOCKED, second.code(), "the daemon holds the node: " + second);

        stop.requestStop();
        t.join(Duration.ofSeconds(20).toMillis());
        assertFalse(t.isAlive(), "run did not stop");
        Cli.Result r = result[0];
        assertEquals(ExitCodes.OK, r.code(), r.toString());
        assertTrue(r.out().startsWith(r.out().lines().findFirst().orElseThrow()) && r.out().contains("event=started"),
                r.toString());
        assertTrue(r.out().contains("event=stopped"), r.toString());
        try (Recovery after = Recovery.builder().logDirectory(logs).nodeId(NODE).build()) {
            assertTrue(after != null, "the daemon released the lock");
        }
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
