package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.tm.recovery.InDoubtTransaction;
import dev.lockstep.tm.recovery.LogFinding;
import dev.lockstep.tm.recovery.ScanReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fields list --json (and GET /api/in-doubt) added for live decisions and log findings, and their text. */
class InDoubtListingTest {

    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");

    private static ScanReport report() {
        InDoubtTransaction live = new InDoubtTransaction("01086f72", "orders-1", 3, 9, NOW, NOW.plusSeconds(60),
                InDoubtTransaction.Owner.ALIVE, InDoubtTransaction.Decision.COMMIT, NOW.plusSeconds(1),
                List.of(new InDoubtTransaction.BranchState("orders-db", "00000001",
                        InDoubtTransaction.State.FINISHED)), List.of(), "its owner is alive and no resource lists …");
        LogFinding corrupt = new LogFinding(LogFinding.FindingKind.CORRUPT, "orders-2", 4L, "LKS-205",
                Path.of("/logs/orders-2/0000000000000004-00000001.seg"), 37L, "LKS-205 the log is corrupt");
        LogFinding torn = new LogFinding(LogFinding.FindingKind.TORN_TAIL, "orders-1", 3L, null,
                Path.of("/logs/orders-1/0000000000000003-00000001.seg"), 322L, "torn tail … ignored");
        LogFinding none = new LogFinding(LogFinding.FindingKind.NO_LOG, "billing-1", null, "LKS-209", null, null,
                "LKS-209 node 'billing-1' has no log");
        return new ScanReport(NOW, Duration.ofMillis(4), List.of(), List.of(), List.of(),
                List.of(corrupt.detail()), List.of(live), List.of(corrupt, torn, none));
    }

    @Test
    void jsonHasTheLiveDecisionsAndEveryFindingsFields() throws Exception {
        JsonNode root = new ObjectMapper().readTree(InDoubtListing.json(report()));
        JsonNode live = root.get("liveDecisions").get(0);
        assertEquals("orders-1:3:9", live.get("tx").asText());
        assertEquals("ALIVE", live.get("owner").asText());
        assertEquals("FINISHED", live.get("branches").get(0).get("state").asText());
        JsonNode corrupt = root.get("logFindings").get(0);
        assertEquals("CORRUPT", corrupt.get("kind").asText());
        assertTrue(corrupt.get("problem").asBoolean());
        assertEquals(4, corrupt.get("incarnation").asLong());
        assertEquals("/logs/orders-2/0000000000000004-00000001.seg", corrupt.get("file").asText());
        assertEquals(37, corrupt.get("offset").asLong());
        JsonNode none = root.get("logFindings").get(2);
        assertTrue(none.get("incarnation").isNull() && none.get("file").isNull() && none.get("offset").isNull());
        assertEquals("billing-1", root.get("nodesWithoutLog").get(0).asText());
    }

    @Test
    void theTableShowsThemToo() {
        StringWriter text = new StringWriter();
        InDoubtListing.table(report(), new PrintWriter(text));
        String out = text.toString();
        assertTrue(out.contains("1 open decision(s) of live transaction managers"), out);
        assertTrue(out.contains("  orders-1:3:9  gtrid 01086f72"), out);
        assertTrue(out.contains("    file   /logs/orders-2/0000000000000004-00000001.seg @37"), out);
        assertTrue(out.contains("Notes on the logs:\n  torn tail … ignored\n  LKS-209 node 'billing-1' has no log"),
                out);
    }
}
