package dev.lockstep.tm.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Replays one incarnation of one node, in the order its manifest lists the segments, and reports the decisions still
 * open. The rules (docs/log-format.md, "Reading"; invariant 8):
 * <ol>
 * <li>Only the segments the manifest ({@link LogManifest}) lists are read; other files are ignored. A listed segment
 * that is missing, or whose header is damaged, is corruption.</li>
 * <li>A SEALED segment was forced to its data end before it was sealed: it must parse cleanly exactly to that end.
 * Any bad frame, zero length or short file before it is corruption.</li>
 * <li>In the OPEN segment, F is the largest {@code forcedTo} of any intact MARK frame in it (24 if none): the data
 * below F was forced before a later write, so it was acknowledged. A bad frame below F, or a file shorter than F, is
 * corruption. A bad frame at or after F (zeros, garbage, a torn frame, a hole followed by intact frames) ends the
 * data there: a torn tail, and everything after it is ignored, so a replay before and after the takeover's repair
 * (which zeroes from that offset) agree.</li>
 * <li>No manifest: nothing was ever written (the start died before its first record). If a segment of the
 * incarnation holds non-zero bytes after its header anyway, the manifest was lost: corruption.</li>
 * <li>A retired manifest: nothing is open.</li>
 * </ol>
 * Every {@link CorruptLogException} names the file and offset. "Bad frame": a length above 1 MiB or past the end of
 * the file, a short frame header, a CRC mismatch, or a zero length followed by non-zero bytes; a frame with a matching
 * CRC that does not decode is corruption wherever it is. Each segment is read by the format version of its own header
 * (an incarnation may hold both): in version 3 a frame's CRC matches if its check is the CRC32C of its payload XOR the
 * segment number, so the frames of an earlier pass of a recycled file fail it and end the data; in version 2 the
 * check is the CRC32C alone ({@link RecordCodec#salt}).
 *
 * <p>Merging: the latest copy of a COMMIT wins (the writer relocates open decisions into newer segments); an END
 * closes a decision unless heuristic records keep it open; a FORGET closes it for good.
 */
public final class LogReader {

    /** Sees every intact record during a replay, with where it sits; for {@code log dump}. */
    @FunctionalInterface
    public interface RecordVisitor {
        void record(Path file, long offset, LogRecord record);
    }

    private final DecisionFold fold = new DecisionFold();
    private final RecordVisitor visitor;
    private long recordsRead;

    private LogReader(RecordVisitor visitor) {
        this.visitor = visitor;
    }

    /** Replays incarnation {@code incarnation} of the node whose files live in {@code nodeDir}. */
    public static ReplayResult replay(Path nodeDir, long incarnation) throws IOException {
        return replay(nodeDir, incarnation, LogSource.files());
    }

    /** Replays incarnation {@code incarnation} of the node in {@code nodeDir}, reading through {@code source}. */
    public static ReplayResult replay(Path nodeDir, long incarnation, LogSource source) throws IOException {
        return new LogReader(null).run(nodeDir, incarnation, source);
    }

    /**
     * Replays incarnation {@code incarnation} of the node in {@code nodeDir} like {@link #replay(Path, long)}, and
     * shows {@code visitor} each intact record in log order with its file and offset (the frame's start).
     */
    public static ReplayResult visit(Path nodeDir, long incarnation, RecordVisitor visitor) throws IOException {
        return visit(nodeDir, incarnation, LogSource.files(), visitor);
    }

    /** As {@link #visit(Path, long, RecordVisitor)}, reading through {@code source}. */
    public static ReplayResult visit(Path nodeDir, long incarnation, LogSource source, RecordVisitor visitor)
            throws IOException {
        return new LogReader(Objects.requireNonNull(visitor, "visitor")).run(nodeDir, incarnation, source);
    }

    private ReplayResult run(Path nodeDir, long incarnation, LogSource source) throws IOException {
        Path manifestFile = nodeDir.resolve(LogLayout.manifestFileName(incarnation));
        byte[] manifestBytes = source.read(manifestFile);
        if (manifestBytes == null) {
            checkNothingWritten(nodeDir, incarnation, source, manifestFile);
            return result(Optional.empty(), null, -1);
        }
        LogManifest manifest = LogManifest.decode(manifestFile, manifestBytes);
        if (manifest.incarnation() != incarnation) {
            throw new CorruptLogException(manifestFile, 8, "manifest names incarnation " + manifest.incarnation()
                    + " but its file name says " + incarnation, null);
        }
        Optional<ReplayResult.TornTail> torn = Optional.empty();
        long openEnd = -1;
        for (LogManifest.Segment s : manifest.segments()) {
            Path file = nodeDir.resolve(LogLayout.segmentFileName(incarnation, s.number()));
            byte[] data = source.read(file);
            if (data == null) {
                throw new CorruptLogException(file, 0, "the segment is listed in " + manifestFile.getFileName()
                        + " but missing", null);
            }
            int salt = RecordCodec.salt(checkHeader(file, data, incarnation, s.number()).version(), s.number());
            if (s.open()) {
                OpenEnd end = readOpen(file, data, salt);
                torn = end.torn;
                openEnd = end.offset;
            } else {
                readSealed(file, data, s.dataEnd(), salt);
            }
        }
        return result(torn, manifest, openEnd);
    }

    private ReplayResult result(Optional<ReplayResult.TornTail> torn, LogManifest manifest, long openEnd) {
        return new ReplayResult(fold.pending(), recordsRead, torn, manifest, openEnd);
    }

    /** Without a manifest no record was ever written; data in a segment means the manifest was lost. */
    private static void checkNothingWritten(Path nodeDir, long incarnation, LogSource source, Path manifestFile)
            throws IOException {
        for (Path file : LogLayout.segmentsIn(source.list(nodeDir), incarnation)) {
            byte[] data = source.read(file);
            if (data == null) {
                continue; // deleted meanwhile (a retirement): nothing to check
            }
            for (int i = RecordCodec.SEGMENT_HEADER_BYTES; i < data.length; i++) {
                if (data[i] != 0) {
                    throw new CorruptLogException(file, i, "the segment holds data but its incarnation has no "
                            + "manifest (" + manifestFile.getFileName() + " is missing); the list of segments was "
                            + "lost", null);
                }
            }
        }
    }

    private static RecordCodec.SegmentHeader checkHeader(Path file, byte[] data, long incarnation, long segment)
            throws IOException {
        RecordCodec.SegmentHeader header;
        try {
            header = RecordCodec.readSegmentHeader(data);
        } catch (MalformedRecordException e) {
            throw new IOException("decision log " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (header == null) {
            // A listed segment's header was forced before the manifest named it.
            throw new CorruptLogException(file, 0, data.length < RecordCodec.SEGMENT_HEADER_BYTES
                    ? "segment file of " + data.length + " bytes has no complete header" : "damaged segment header",
                    null);
        }
        if (header.incarnation() != incarnation || header.segment() != segment) {
            throw new CorruptLogException(file, 0, "header names incarnation " + header.incarnation() + " segment "
                    + header.segment() + " but the file name says incarnation " + incarnation + " segment "
                    + segment, null);
        }
        return header;
    }

    /**
     * A sealed segment: every frame intact, exactly up to {@code dataEnd}; {@code salt} is what its frames' checks
     * are XORed with ({@link RecordCodec#salt}).
     */
    private void readSealed(Path file, byte[] data, long dataEnd, int salt) throws IOException {
        if (data.length < dataEnd) {
            throw new CorruptLogException(file, data.length, "the file is " + data.length + " bytes, shorter than "
                    + "its sealed data end " + dataEnd + " (forced data is missing)", null);
        }
        int end = (int) dataEnd;
        int pos = RecordCodec.SEGMENT_HEADER_BYTES;
        while (pos < end) {
            String bad = badFrame(data, pos, end, salt);
            if (bad != null) {
                throw new CorruptLogException(file, pos, bad + ", before the sealed data end " + dataEnd
                        + " (forced data)", null);
            }
            pos = apply(file, data, pos);
        }
    }

    /** Where and why the data of the open segment ends. */
    private record OpenEnd(long offset, Optional<ReplayResult.TornTail> torn) {
    }

    /** The open segment: frames up to the first bad one; corruption if that lies below the largest MARK's forcedTo. */
    private OpenEnd readOpen(Path file, byte[] data, int salt) throws IOException {
        long forced = RecordCodec.SEGMENT_HEADER_BYTES;
        int pos = RecordCodec.SEGMENT_HEADER_BYTES;
        String bad = null;
        while (pos < data.length) {
            bad = badFrame(data, pos, data.length, salt);
            if (bad != null) {
                break;
            }
            int payload = pos + RecordCodec.FRAME_HEADER_BYTES;
            if (RecordCodec.isMark(data, payload)) {
                forced = Math.max(forced, markAt(file, data, pos));
            }
            pos = apply(file, data, pos);
        }
        boolean cleanEnd = bad == null || allZero(data, pos);
        if (!cleanEnd) {
            forced = Math.max(forced, largestMarkAfter(data, pos + 1, salt));
        }
        if (data.length < forced) {
            throw new CorruptLogException(file, data.length, "the file is " + data.length + " bytes, shorter than "
                    + "the " + forced + " bytes a MARK frame says were forced", null);
        }
        if (pos < forced) {
            throw new CorruptLogException(file, pos, (bad == null ? "the data ends" : bad) + ", below offset "
                    + forced + " up to which a MARK frame says the segment was forced, and valid records follow it",
                    null);
        }
        if (cleanEnd) {
            return new OpenEnd(pos, Optional.empty());
        }
        return new OpenEnd(pos, Optional.of(new ReplayResult.TornTail(file, pos, salt == 0 ? bad
                : bad + " (a torn write, or bytes of an earlier use of the recycled segment file)")));
    }

    /**
     * Why the frame at {@code pos} is bad (its bytes up to {@code end} considered), or null if it is intact: its check
     * is the CRC32C of its payload XOR {@code salt}. A zero length is reported as "zero length" (the end of data when
     * only zeros follow).
     */
    private static String badFrame(byte[] data, int pos, int end, int salt) {
        if (end - pos < RecordCodec.FRAME_HEADER_BYTES) {
            return allZero(data, pos, end) ? "zero length" : "short frame header";
        }
        long length = RecordCodec.u32(data, pos);
        if (length == 0) {
            return allZero(data, pos, data.length) ? "zero length" : "zero length followed by non-zero bytes";
        }
        if (length > RecordCodec.MAX_RECORD_BYTES) {
            return "frame length " + length + " above the 1 MiB limit";
        }
        if (pos + RecordCodec.FRAME_HEADER_BYTES + length > end) {
            return "short read: frame of " + length + " bytes runs past the end of the data";
        }
        if (!RecordCodec.checkMatches(data, pos, (int) length, salt)) {
            return "CRC mismatch";
        }
        return null;
    }

    /** The forcedTo of the intact MARK frame at {@code pos}; corruption if it does not decode or points ahead. */
    private static long markAt(Path file, byte[] data, int pos) throws CorruptLogException {
        int payload = pos + RecordCodec.FRAME_HEADER_BYTES;
        long forcedTo;
        try {
            forcedTo = RecordCodec.markForcedTo(data, payload, (int) RecordCodec.u32(data, pos));
        } catch (MalformedRecordException e) {
            throw new CorruptLogException(file, pos, "intact MARK frame does not decode: " + e.getMessage(), e);
        }
        if (forcedTo > pos) {
            throw new CorruptLogException(file, pos, "MARK frame says " + forcedTo + " bytes were forced before it"
                    + " was written, at offset " + pos, null);
        }
        return forcedTo;
    }

    /** Decodes and applies the intact frame at {@code pos} (a MARK is skipped); returns where the next one starts. */
    private int apply(Path file, byte[] data, int pos) throws CorruptLogException {
        int length = (int) RecordCodec.u32(data, pos);
        int payload = pos + RecordCodec.FRAME_HEADER_BYTES;
        if (RecordCodec.isMark(data, payload)) {
            markAt(file, data, pos);
            return payload + length;
        }
        LogRecord record;
        try {
            record = RecordCodec.decode(data, payload, length);
        } catch (MalformedRecordException e) {
            // The CRC matched, so these bytes were written like this: not a torn write.
            throw new CorruptLogException(file, pos, "intact frame does not decode: " + e.getMessage(), e);
        }
        if (visitor != null) {
            visitor.record(file, pos, record);
        }
        fold.apply(record);
        recordsRead++;
        return payload + length;
    }

    /**
     * The largest forcedTo of an intact MARK frame found byte by byte from {@code from} (the bytes after a bad frame
     * may hold intact frames of later batches, whose MARKs still tell the truth: each is CRC-protected).
     */
    private static long largestMarkAfter(byte[] data, int from, int salt) {
        long largest = 0;
        for (int p = from; p + RecordCodec.MARK_FRAME_BYTES <= data.length; p++) {
            if (RecordCodec.u32(data, p) != 5 || data[p + RecordCodec.FRAME_HEADER_BYTES] != RecordCodec.TYPE_MARK
                    || !RecordCodec.checkMatches(data, p, 5, salt)) {
                continue;
            }
            long forcedTo = RecordCodec.u32(data, p + RecordCodec.FRAME_HEADER_BYTES + 1);
            if (forcedTo >= RecordCodec.SEGMENT_HEADER_BYTES && forcedTo <= p) {
                largest = Math.max(largest, forcedTo);
            }
        }
        return largest;
    }

    private static boolean allZero(byte[] data, int from) {
        return allZero(data, from, data.length);
    }

    private static boolean allZero(byte[] data, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
