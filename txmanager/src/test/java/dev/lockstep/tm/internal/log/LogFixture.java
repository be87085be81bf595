package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.log.LogLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small helpers shared by the log tests. */
final class LogFixture {

    static final String NODE = "node-1";

    private LogFixture() {
    }

    static LogSettings settings(Path dir) {
        return LogSettings.of(dir, NODE).withSegmentBytes(LogSettings.MIN_SEGMENT_BYTES);
    }

    /** Opens the log in {@code dir} as the next incarnation, writing segments of format {@code version}. */
    static OpenedLog open(Path dir, int version) throws IOException {
        return DecisionLog.open(settings(dir), new FileLogStorage(), LogSettings.MIN_SEGMENT_BYTES, null, version);
    }

    static Path nodeDir(Path dir) {
        return LogLayout.nodeDirectory(dir, NODE);
    }

    static List<Path> segments(Path dir, long incarnation) throws IOException {
        return LogLayout.segments(nodeDir(dir), incarnation);
    }

    static long segmentFileCount(Path dir) throws IOException {
        try (var s = Files.list(nodeDir(dir))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".seg")).count();
        }
    }
}
