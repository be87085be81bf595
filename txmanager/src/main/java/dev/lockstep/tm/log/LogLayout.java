package dev.lockstep.tm.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Names the files of a node's decision log, so the writer and the recovery service agree on them:
 *
 * <pre>
 * &lt;logDirectory&gt;/&lt;nodeId&gt;/node.lock                      held by the live process for this node id
 * &lt;logDirectory&gt;/&lt;nodeId&gt;/incarnation                    last incarnation number (i64 + CRC32C)
 * &lt;logDirectory&gt;/&lt;nodeId&gt;/&lt;inc 16 hex&gt;.lock              held by the incarnation that writes these segments
 * &lt;logDirectory&gt;/&lt;nodeId&gt;/&lt;inc 16 hex&gt;.manifest          the segments of the incarnation ({@link LogManifest})
 * &lt;logDirectory&gt;/&lt;nodeId&gt;/&lt;inc 16 hex&gt;-&lt;seg 8 hex&gt;.seg   segments, in number order
 * </pre>
 *
 * Hex is fixed-width lower case, so names sort in numeric order.
 */
public final class LogLayout {

    public static final String NODE_LOCK = "node.lock";
    public static final String INCARNATION_FILE = "incarnation";

    private static final Pattern SEGMENT = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{8})\\.seg");
    private static final Pattern INCARNATION_LOCK = Pattern.compile("([0-9a-f]{16})\\.lock");
    private static final Pattern MANIFEST = Pattern.compile("([0-9a-f]{16})\\.manifest");

    private LogLayout() {
    }

    /**
     * Throws {@link IllegalArgumentException} unless {@code nodeId} can name a node: the rule is the XID's (it must
     * fit the 64-byte global id), see {@link dev.lockstep.tm.spi.LockstepXids#requireValidNodeId}.
     */
    public static String checkNodeId(String nodeId) {
        return dev.lockstep.tm.spi.LockstepXids.requireValidNodeId(nodeId);
    }

    /** The directory that holds every file of node {@code nodeId}. */
    public static Path nodeDirectory(Path logDirectory, String nodeId) {
        return logDirectory.resolve(checkNodeId(nodeId));
    }

    public static String segmentFileName(long incarnation, long segment) {
        return String.format(Locale.ROOT, "%016x-%08x.seg", incarnation, segment);
    }

    public static String incarnationLockFileName(long incarnation) {
        return String.format(Locale.ROOT, "%016x.lock", incarnation);
    }

    public static String manifestFileName(long incarnation) {
        return String.format(Locale.ROOT, "%016x.manifest", incarnation);
    }

    /**
     * The incarnation that {@code file} (a segment, an incarnation lock or a manifest) belongs to, if its name is one
     * of ours.
     */
    public static OptionalLong incarnationOf(Path file) {
        String name = file.getFileName().toString();
        Matcher m = SEGMENT.matcher(name);
        if (m.matches()) {
            return OptionalLong.of(Long.parseUnsignedLong(m.group(1), 16));
        }
        m = INCARNATION_LOCK.matcher(name);
        if (m.matches()) {
            return OptionalLong.of(Long.parseUnsignedLong(m.group(1), 16));
        }
        m = MANIFEST.matcher(name);
        return m.matches() ? OptionalLong.of(Long.parseUnsignedLong(m.group(1), 16)) : OptionalLong.empty();
    }

    /** The segment number of a segment file, or empty if {@code file} is not a segment. */
    public static OptionalLong segmentNumberOf(Path file) {
        Matcher m = SEGMENT.matcher(file.getFileName().toString());
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(2), 16)) : OptionalLong.empty();
    }

    /** The incarnations that have segments, a manifest or a lock file in {@code nodeDir}, oldest first. */
    public static List<Long> incarnations(Path nodeDir) throws IOException {
        return incarnationsIn(list(nodeDir));
    }

    /** The incarnations named by {@code files}, oldest first. */
    public static List<Long> incarnationsIn(Collection<Path> files) {
        TreeSet<Long> result = new TreeSet<>();
        for (Path f : files) {
            incarnationOf(f).ifPresent(result::add);
        }
        return new ArrayList<>(result);
    }

    /** The segment files of {@code incarnation} in {@code nodeDir}, in segment order. */
    public static List<Path> segments(Path nodeDir, long incarnation) throws IOException {
        return segmentsIn(list(nodeDir), incarnation);
    }

    /** The segment files of {@code incarnation} among {@code files}, in segment order. */
    public static List<Path> segmentsIn(Collection<Path> files, long incarnation) {
        List<Path> result = new ArrayList<>();
        for (Path f : files) {
            if (segmentNumberOf(f).isPresent() && incarnationOf(f).getAsLong() == incarnation) {
                result.add(f);
            }
        }
        result.sort((a, b) -> Long.compare(segmentNumberOf(a).getAsLong(), segmentNumberOf(b).getAsLong()));
        return result;
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
