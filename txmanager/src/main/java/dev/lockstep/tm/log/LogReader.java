package dev.lockstep.tm.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Replays the segments of one incarnation of one node, oldest first, and reports the decisions still open.
 *
 * <p>Rules (DESIGN.md invariant 8):
 * <ol>
 * <li>A frame length of 0 followed only by zeros ends a segment's data: the rest is preallocated space.</li>
 * <li>A bad frame (length out of range or past the end of the file, CRC mismatch, short frame header, damaged segment
 * header) with no intact frame anywhere after it, in the same segment or a later one, is a torn tail: the write never
 * completed, so it was never acknowledged, and it is ignored.</li>
 * <li>A bad frame followed by an intact one is corruption of acknowledged data: replay stops with a
 * {@link CorruptLogException} naming the file and offset, because skipping it could skip a decision.</li>
 * </ol>
 * "Intact" means: a plausible length (1 byte..1 MiB, inside the file), a known type byte and a matching CRC32C, found
 * by scanning forward byte by byte. The writer forces a segment before it writes the next one, so an intact frame in a
 * later segment proves the earlier damage was not a torn tail.
 *
 * <p>Merging: the latest copy of a COMMIT wins (the writer relocates open decisions into newer segments); an END
 * closes a decision unless heuristic records keep it open; a FORGET closes it for good.
 */
public final class LogReader {

    /** Loads a whole segment file; the writer passes its own storage, the recovery service the default. */
    @FunctionalInterface
    public interface SegmentLoader {
        byte[] load(Path file) throws IOException;
    }

    /** Sees every intact record during a replay, with where it sits; for {@code log dump}. */
    @FunctionalInterface
    public interface RecordVisitor {
        void record(Path file, long offset, LogRecord record);
    }

    private final Map<Gtrid, Open> open = new LinkedHashMap<>();
    private final RecordVisitor visitor;
    private long recordsRead;

    private LogReader(RecordVisitor visitor) {
        this.visitor = visitor;
    }

    /** Replays incarnation {@code incarnation} of the node whose files live in {@code nodeDir}. */
    public static ReplayResult replay(Path nodeDir, long incarnation) throws IOException {
        return replay(LogLayout.segments(nodeDir, incarnation), incarnation, Files::readAllBytes);
    }

    /** Replays {@code segments} (in segment order) of incarnation {@code incarnation}, loading each with {@code loader}. */
    public static ReplayResult replay(List<Path> segments, long incarnation, SegmentLoader loader) throws IOException {
        return new LogReader(null).run(segments, incarnation, loader);
    }

    /**
     * Replays incarnation {@code incarnation} of the node in {@code nodeDir} like {@link #replay(Path, long)}, and
     * shows {@code visitor} each intact record in log order with its file and offset (the frame's start).
     */
    public static ReplayResult visit(Path nodeDir, long incarnation, RecordVisitor visitor) throws IOException {
        return new LogReader(java.util.Objects.requireNonNull(visitor, "visitor"))
                .run(LogLayout.segments(nodeDir, incarnation), incarnation, Files::readAllBytes);
    }

    private ReplayResult run(List<Path> segments, long incarnation, SegmentLoader loader) throws IOException {
        Optional<ReplayResult.TornTail> torn = Optional.empty();
        for (int i = 0; i < segments.size() && torn.isEmpty(); i++) {
            torn = readSegment(segments, i, incarnation, loader);
        }
        Map<Gtrid, PendingDecision> pending = new LinkedHashMap<>();
        open.forEach((k, v) -> pending.put(k, new PendingDecision(v.commit, v.heuristics, v.ended)));
        return new ReplayResult(pending, recordsRead, torn);
    }

    /** Reads one segment; returns the torn tail if one ended the replay. */
    private Optional<ReplayResult.TornTail> readSegment(List<Path> segments, int index, long incarnation,
            SegmentLoader loader) throws IOException {
        Path file = segments.get(index);
        byte[] data = loader.load(file);
        RecordCodec.SegmentHeader header;
        try {
            header = RecordCodec.readSegmentHeader(data);
        } catch (MalformedRecordException e) {
            throw new IOException("decision log " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (header == null) {
            return badFrame(segments, index, loader, data, 0,
                    data.length == 0 ? "empty segment file" : "damaged segment header");
        }
        long expectedSegment = LogLayout.segmentNumberOf(file).orElse(header.segment());
        if (header.incarnation() != incarnation || header.segment() != expectedSegment) {
            throw new CorruptLogException(file, 0, "header names incarnation " + header.incarnation() + " segment "
                    + header.segment() + " but the file name says incarnation " + incarnation + " segment "
                    + expectedSegment, null);
        }
        int pos = RecordCodec.SEGMENT_HEADER_BYTES;
        while (pos < data.length) {
            if (data.length - pos < RecordCodec.FRAME_HEADER_BYTES || u32(data, pos) == 0) {
                if (allZero(data, pos)) {
                    return Optional.empty(); // preallocated space: the segment's data ends here
                }
                return badFrame(segments, index, loader, data, pos, data.length - pos < RecordCodec.FRAME_HEADER_BYTES
                        ? "short frame header" : "zero length followed by non-zero bytes");
            }
            long length = u32(data, pos);
            if (length > RecordCodec.MAX_RECORD_BYTES) {
                return badFrame(segments, index, loader, data, pos, "frame length " + length + " above the 1 MiB limit");
            }
            if (pos + RecordCodec.FRAME_HEADER_BYTES + length > data.length) {
                return badFrame(segments, index, loader, data, pos,
                        "short read: frame of " + length + " bytes runs past the end of the file");
            }
            int payload = pos + RecordCodec.FRAME_HEADER_BYTES;
            if ((int) u32(data, pos + 4) != RecordCodec.crc(data, payload, (int) length)) {
                return badFrame(segments, index, loader, data, pos, "CRC mismatch");
            }
            LogRecord record;
            try {
                record = RecordCodec.decode(data, payload, (int) length);
            } catch (MalformedRecordException e) {
                // The CRC matched, so these bytes were written like this: not a torn write.
                throw new CorruptLogException(file, pos, "intact frame does not decode: " + e.getMessage(), e);
            }
            if (visitor != null) {
                visitor.record(file, pos, record);
            }
            apply(record);
            recordsRead++;
            pos = payload + (int) length;
        }
        return Optional.empty();
    }

    private Optional<ReplayResult.TornTail> badFrame(List<Path> segments, int index, SegmentLoader loader, byte[] data,
            int offset, String problem) throws IOException {
        Path file = segments.get(index);
        boolean validFollows = containsValidFrame(data, offset + 1);
        for (int i = index + 1; i < segments.size() && !validFollows; i++) {
            validFollows = containsValidFrame(loader.load(segments.get(i)), 0);
        }
        if (validFollows) {
            throw new CorruptLogException(file, offset, problem + ", and valid records follow it", null);
        }
        return Optional.of(new ReplayResult.TornTail(file, offset, problem));
    }

    /** Scans byte by byte from {@code from} for an intact frame. */
    static boolean containsValidFrame(byte[] data, int from) {
        for (int p = Math.max(0, from); p + RecordCodec.FRAME_HEADER_BYTES < data.length; p++) {
            long length = u32(data, p);
            if (length == 0 || length > RecordCodec.MAX_RECORD_BYTES
                    || p + RecordCodec.FRAME_HEADER_BYTES + length > data.length) {
                continue;
            }
            int payload = p + RecordCodec.FRAME_HEADER_BYTES;
            if (RecordCodec.isKnownType(data[payload])
                    && (int) u32(data, p + 4) == RecordCodec.crc(data, payload, (int) length)) {
                return true;
            }
        }
        return false;
    }

    private void apply(LogRecord record) {
        Gtrid key = record.key();
        if (record instanceof CommitRecord c) {
            open.computeIfAbsent(key, k -> new Open()).commit = c;
        } else if (record instanceof HeuristicRecord h) {
            Open o = open.computeIfAbsent(key, k -> new Open());
            if (!o.heuristics.contains(h)) {
                o.heuristics.add(h);
            }
        } else if (record instanceof EndRecord) {
            Open o = open.get(key);
            if (o != null && o.heuristics.isEmpty()) {
                open.remove(key);
            } else if (o != null) {
                o.ended = true;
            }
        } else {
            open.remove(key);
        }
    }

    private static boolean allZero(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static long u32(byte[] b, int p) {
        return ((b[p] & 0xFFL) << 24) | ((b[p + 1] & 0xFFL) << 16) | ((b[p + 2] & 0xFFL) << 8) | (b[p + 3] & 0xFFL);
    }

    /** A decision being assembled during replay. */
    private static final class Open {
        CommitRecord commit;
        final List<HeuristicRecord> heuristics = new ArrayList<>();
        boolean ended;
    }
}
