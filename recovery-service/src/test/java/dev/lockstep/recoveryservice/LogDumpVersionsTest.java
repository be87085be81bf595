package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.internal.log.DecisionLog;
import dev.lockstep.tm.internal.log.FileLogStorage;
import dev.lockstep.tm.internal.log.LogSettings;
import dev.lockstep.tm.internal.log.LogStats;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogManifest;
import dev.lockstep.tm.log.RecordCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code log dump} reads the file log of both format versions (docs/log-format.md, "Versions"): version 2 as earlier
 * releases wrote it (zero-filled segments) and version 3 (recycled segments, whose bytes after the data are an
 * earlier pass's), after a clean close and as a process that died after its last force leaves it.
 */
class LogDumpVersionsTest {

    private static final String NODE = "orders-1";

    @TempDir
    Path dir;

    /** A Lockstep gtrid (layout 1): node, incarnation, begin, timeout, sequence. */
    private static byte[] gtrid(long sequence) {
        byte[] name = NODE.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(30 + name.length).put((byte) 1).put((byte) name.length).put(name)
                .putLong(1).putLong(1_700_000_000_000L).putInt(60).putLong(sequence).array();
    }

    private static CommitRecord commit(long sequence) {
        return new CommitRecord(gtrid(sequence), 1_700_000_000_000L + sequence, List.of(
                new CommitRecord.RecordedBranch(new byte[] {0, 0, 0, 1}, "orders-db"),
                new CommitRecord.RecordedBranch(new byte[] {0, 0, 0, 2}, "events")));
    }

    @ParameterizedTest(name = "format version {0}")
    @ValueSource(ints = {RecordCodec.VERSION_ZEROED, RecordCodec.FORMAT_VERSION})
    void dumpsEveryRecordOfEitherVersionAndNoStaleOne(int version) throws Exception {
        LogStats stats;
        try (DecisionLog log = DecisionLog.open(LogSettings.of(dir, NODE), new FileLogStorage(), 4096, Runnable::run,
                version).log()) {
            for (long n = 0; n < 150; n++) {
                log.writeCommit(commit(n));
                log.writeEnd(new EndRecord(gtrid(n)));
            }
            log.writeCommit(commit(1000));
            stats = log.stats();
        }
        assertEquals(version == RecordCodec.FORMAT_VERSION, stats.segmentsRecycled() > 0, stats.toString());
        String clean = dump();
        assertTrue(clean.contains(" 1 decisions open"), clean);
        assertFalse(clean.contains("torn tail"), clean);

        // The same log as a process that died right after its last force leaves it: the last segment open.
        Path node = LogLayout.nodeDirectory(dir, NODE);
        Path manifestFile = node.resolve(LogLayout.manifestFileName(1));
        LogManifest manifest = LogManifest.decode(manifestFile, Files.readAllBytes(manifestFile));
        List<LogManifest.Segment> segments = new ArrayList<>(manifest.segments());
        LogManifest.Segment last = segments.remove(segments.size() - 1);
        segments.add(last.open() ? last : LogManifest.Segment.open(last.number()));
        Files.write(manifestFile, new LogManifest(1, false, segments).encode());
        String died = dump();
        assertTrue(died.contains(" 1 decisions open"), died);
        assertFalse(died.contains("CORRUPT"), died);
        assertEquals(records(clean), records(died), "the same records, no stale one");
    }

    private static List<String> records(String dump) {
        return dump.lines().filter(l -> l.contains(".seg @") && !l.contains("torn tail")).toList();
    }

    private String dump() {
        StringWriter text = new StringWriter();
        List<LogDump.DumpProblem> problems = new LogDump(new PrintWriter(text)).dump(dir, List.of(NODE));
        assertEquals(List.of(), problems);
        return text.toString();
    }
}
