package dev.lockstep.tm.log;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The manifest of one incarnation, {@code <inc 16 hex>.manifest}: the segments that must exist, in order, each SEALED
 * with the exact offset where its last frame ends, or OPEN (at most one, the last). The reader trusts this list only
 * (files it does not name are ignored), so a missing segment is noticed and a sealed segment cut short is corruption,
 * not an end of data. The writer replaces it atomically (temporary file, force, rename, force the directory) when it
 * creates the first segment, at each roll, at each reclamation, at a takeover and at retirement. Layout, big-endian
 * ({@code docs/log-format.md}, "Manifest"):
 *
 * <pre>
 * offset size field
 *      0    4 magic            0x4C53444D ("LSDM")
 *      4    2 u16 version      2
 *      6    2 u16 flags        bit 0: retired (the list is then empty)
 *      8    8 i64 incarnation
 *     16    4 u32 count
 *     20 13*n entries          u32 segment, u8 state (1 SEALED, 2 OPEN), i64 data end (0 for OPEN)
 *  20+13n   4 u32 CRC32C       of every byte before it
 * </pre>
 *
 * @param incarnation the incarnation whose segments it lists
 * @param retired true once the incarnation is being retired: nothing in it is open, its files are being deleted
 * @param segments the segments that must exist, in ascending number order
 */
public record LogManifest(long incarnation, boolean retired, List<Segment> segments) {

    /** "LSDM": Lockstep decision-log manifest. */
    public static final int MAGIC = 0x4C53444D;
    public static final int VERSION = 2;
    private static final int HEAD_BYTES = 20;
    private static final int ENTRY_BYTES = 13;
    private static final byte SEALED = 1;
    private static final byte OPEN = 2;

    /**
     * One listed segment.
     *
     * @param number the segment number, as in its file name
     * @param open true for the segment being written; its data ends where the reader finds the end
     * @param dataEnd for a sealed segment, the offset where its last frame ends (forced before it was sealed)
     */
    public record Segment(long number, boolean open, long dataEnd) {

        public static Segment sealed(long number, long dataEnd) {
            return new Segment(number, false, dataEnd);
        }

        public static Segment open(long number) {
            return new Segment(number, true, 0);
        }
    }

    public LogManifest {
        segments = List.copyOf(segments);
        String problem = problem(retired, segments);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** The manifest of an incarnation whose files are being deleted. */
    public static LogManifest retiredOf(long incarnation) {
        return new LogManifest(incarnation, true, List.of());
    }

    /** The open segment, or null if every listed segment is sealed. */
    public Segment openSegment() {
        return segments.isEmpty() || !segments.get(segments.size() - 1).open() ? null
                : segments.get(segments.size() - 1);
    }

    private static String problem(boolean retired, List<Segment> segments) {
        if (retired && !segments.isEmpty()) {
            return "a retired manifest lists no segment";
        }
        long previous = 0;
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            if (s.number() <= previous || s.number() > 0xFFFFFFFFL) {
                return "segment numbers must ascend within 1..2^32-1, found " + s.number() + " after " + previous;
            }
            if (s.open() && i != segments.size() - 1) {
                return "only the last segment may be open, segment " + s.number() + " is open";
            }
            if (!s.open() && s.dataEnd() < RecordCodec.SEGMENT_HEADER_BYTES) {
                return "sealed segment " + s.number() + " ends at " + s.dataEnd() + ", inside its header";
            }
            previous = s.number();
        }
        return null;
    }

    /** The manifest's bytes. */
    public byte[] encode() {
        byte[] out = new byte[HEAD_BYTES + ENTRY_BYTES * segments.size() + 4];
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putInt(MAGIC).putShort((short) VERSION).putShort((short) (retired ? 1 : 0)).putLong(incarnation)
                .putInt(segments.size());
        for (Segment s : segments) {
            b.putInt((int) s.number()).put(s.open() ? OPEN : SEALED).putLong(s.open() ? 0 : s.dataEnd());
        }
        b.putInt(RecordCodec.crc(out, 0, out.length - 4));
        return out;
    }

    /**
     * Decodes the manifest {@code file}. It is only ever replaced by an atomic rename of a forced file, so any damage
     * (short, wrong magic or CRC, impossible entries) is corruption of acknowledged data, not a torn write: a
     * {@link CorruptLogException} naming the file. Another version is refused with a plain {@link java.io.IOException}.
     */
    public static LogManifest decode(Path file, byte[] bytes) throws java.io.IOException {
        if (bytes.length < HEAD_BYTES + 4) {
            throw new CorruptLogException(file, 0, "manifest of " + bytes.length + " bytes is shorter than its "
                    + (HEAD_BYTES + 4) + "-byte minimum", null);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt(0) != MAGIC) {
            throw new CorruptLogException(file, 0, "manifest magic is wrong", null);
        }
        if (b.getInt(bytes.length - 4) != RecordCodec.crc(bytes, 0, bytes.length - 4)) {
            throw new CorruptLogException(file, bytes.length - 4, "manifest CRC mismatch", null);
        }
        int version = b.getShort(4) & 0xFFFF;
        if (version != VERSION) {
            throw new java.io.IOException("manifest " + file + " has format version " + version + "; this build reads"
                    + " version " + VERSION + " only (docs/log-format.md)");
        }
        int flags = b.getShort(6) & 0xFFFF;
        long incarnation = b.getLong(8);
        long count = b.getInt(16) & 0xFFFFFFFFL;
        if (bytes.length != HEAD_BYTES + ENTRY_BYTES * count + 4) {
            throw new CorruptLogException(file, 16, "manifest lists " + count + " segments but is " + bytes.length
                    + " bytes long", null);
        }
        List<Segment> segments = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            int at = HEAD_BYTES + ENTRY_BYTES * i;
            long number = b.getInt(at) & 0xFFFFFFFFL;
            byte state = b.get(at + 4);
            long end = b.getLong(at + 5);
            if (state != SEALED && state != OPEN) {
                throw new CorruptLogException(file, at + 4, "manifest entry " + i + " has state " + state, null);
            }
            segments.add(state == OPEN ? Segment.open(number) : Segment.sealed(number, end));
        }
        String problem = problem((flags & 1) != 0, segments);
        if (problem != null || (flags & ~1) != 0) {
            throw new CorruptLogException(file, 0, "manifest is inconsistent: " + (problem != null ? problem
                    : "unknown flags " + flags), null);
        }
        return new LogManifest(incarnation, (flags & 1) != 0, segments);
    }
}
