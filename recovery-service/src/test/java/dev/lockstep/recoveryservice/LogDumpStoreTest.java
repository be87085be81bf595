package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.HeuristicOutcome;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.RecordCodec;
import dev.lockstep.tm.store.StoreRows.StoredIncarnation;
import dev.lockstep.tm.store.StoreRows.StoredNode;
import dev.lockstep.tm.store.StoreRows.StoredRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code log dump} of the database decision store's rows, without a database: the rows as {@code StoreRows.read}
 * returns them, formatted as the file log's records are (docs/recovery-service.md, "log dump"). The integration test
 * {@code LogDumpOfTheStoreTest} reads real rows.
 */
class LogDumpStoreTest {

    private static final Instant BEGIN = Instant.parse("2026-11-21T10:00:00Z");

    /** A Lockstep gtrid (layout 1): node, incarnation, begin, timeout, sequence. */
    private static byte[] gtrid(String node, long incarnation, long sequence) {
        byte[] name = node.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(30 + name.length).put((byte) 1).put((byte) name.length).put(name)
                .putLong(incarnation).putLong(BEGIN.toEpochMilli()).putInt(60).putLong(sequence).array();
    }

    private final StringWriter text = new StringWriter();
    private final LogDump dump = new LogDump(new PrintWriter(text));

    @Test
    void eachIncarnationShowsItsLeaseAndEachRowDecodesAsAFileLogRecord() {
        byte[] open = gtrid("orders-1", 7, 17);
        byte[] heuristic = gtrid("orders-1", 7, 18);
        CommitRecord commit = new CommitRecord(open, BEGIN.plusSeconds(1).toEpochMilli(),
                List.of(new CommitRecord.RecordedBranch(new byte[] {1}, "orders-db"),
                        new CommitRecord.RecordedBranch(new byte[] {2}, "events")));
        StoredIncarnation inc = new StoredIncarnation(7, "orders-1 (pid 42 on pod-a, 1)", 3,
                Instant.parse("2026-11-21T10:00:15Z"), true, BEGIN.minusSeconds(60), List.of(
                        new StoredRecord(12, (short) 1, RecordCodec.encode(commit)),
                        new StoredRecord(13, (short) 1, RecordCodec.encode(new CommitRecord(heuristic,
                                BEGIN.toEpochMilli(), List.of(new CommitRecord.RecordedBranch(new byte[] {1},
                                        "orders-db"))))),
                        new StoredRecord(14, (short) 3, RecordCodec.encode(new HeuristicRecord(heuristic,
                                new byte[] {1}, "orders-db", HeuristicOutcome.ROLLBACK,
                                BEGIN.plusSeconds(2).toEpochMilli()))),
                        new StoredRecord(15, (short) 2, RecordCodec.encode(new EndRecord(heuristic)))));
        List<LogDump.DumpProblem> problems = dump.dumpStore("PostgreSQL schema 'ls' at jdbc:postgresql://db/app",
                List.of(new StoredNode("orders-1", "orders-1", 9, List.of(inc))), null);

        assertEquals(List.of(), problems);
        String out = text.toString();
        assertTrue(out.startsWith("store PostgreSQL schema 'ls' at jdbc:postgresql://db/app\nnode orders-1\n"), out);
        assertTrue(out.contains("  incarnation 7 (0000000000000007) lease holder=orders-1 (pid 42 on pod-a, 1) "
                + "epoch=3 expires=2026-11-21T10:00:15.000Z (expired) started=2026-11-21T09:59:00.000Z\n"), out);
        // The record's text is the file log's (LogDump.describe), placed by seq instead of file and offset.
        assertTrue(out.contains("    seq 12 " + LogDump.describe(commit) + "\n"), out);
        assertTrue(out.contains("seq 12 COMMIT gtrid=" + GtridText.hex(open) + " (orders-1:7:17) begun="
                + "2026-11-21T10:00:00.000Z timeout=60s decided=2026-11-21T10:00:01.000Z branches=[orders-db/01, "
                + "events/02]"), out);
        assertTrue(out.contains("seq 14 HEURISTIC gtrid=" + GtridText.hex(heuristic) + " (orders-1:7:18) "
                + "branch=orders-db/01 outcome=ROLLBACK"), out);
        assertTrue(out.contains("seq 15 END gtrid=" + GtridText.hex(heuristic)), out);
        assertTrue(out.contains("    4 records, 2 decisions open\n"), "the open COMMIT, and the decision its heuristic"
                + " keeps open: " + out);
        assertTrue(out.contains("  incarnations up to 9 without a row were retired"), out);
    }

    @Test
    void aRowThatDoesNotDecodeIsReportedAndTheOthersAreStillShown() {
        byte[] g = gtrid("n1", 1, 1);
        StoredIncarnation inc = new StoredIncarnation(1, "n1 (pid 1 on h, 1)", 1, BEGIN, false, BEGIN, List.of(
                new StoredRecord(1, (short) 1, new byte[] {9, 9, 9}),
                new StoredRecord(2, (short) 2, RecordCodec.encode(new EndRecord(g)))));
        List<LogDump.DumpProblem> problems = dump.dumpStore("s", List.of(new StoredNode("n1", "n1", 1,
                List.of(inc))), null);

        assertEquals(1, problems.size());
        assertEquals(1L, problems.get(0).incarnation());
        assertTrue(problems.get(0).message().startsWith("LKS-205") && problems.get(0).message().contains("seq 1"),
                problems.get(0).message());
        String out = text.toString();
        assertTrue(out.contains("(held)") && out.contains("    seq 1 CORRUPT: ") && out.contains("    seq 2 END gtrid="),
                out);
    }

    @Test
    void aLongNodeIdShowsTheNameItsXidsCarryAndANodeNeverSeenIsAProblem() {
        List<LogDump.DumpProblem> problems = dump.dumpStore("s", List.of(new StoredNode(
                "orders-service-7d9f8b6c5d-.1f", "orders-service-7d9f8b6c5d-xk2p9-with-a-long-tail", 3, List.of())),
                List.of("orders-service-7d9f8b6c5d-xk2p9-with-a-long-tail", "billing-1"));

        String out = text.toString();
        assertTrue(out.contains("node orders-service-7d9f8b6c5d-xk2p9-with-a-long-tail (its XIDs carry "
                + "orders-service-7d9f8b6c5d-.1f)\n  incarnations up to 3 without a row were retired"), out);
        assertTrue(out.contains("node billing-1\n  not in the store"), out);
        assertEquals(1, problems.size());
        assertEquals("billing-1", problems.get(0).nodeId());
        assertTrue(problems.get(0).message().startsWith("LKS-209"), problems.get(0).message());
    }
}
