package dev.lockstep.tm.log;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The one codec of the decision log, format version {@value #FORMAT_VERSION} (and the version
 * {@value #VERSION_ZEROED} it still reads). Everything that reads or writes log bytes goes through here;
 * {@code docs/log-format.md} mirrors this table. All integers are big-endian, {@code u} means unsigned, {@code i}
 * signed two's complement.
 *
 * <h2>Segment header (24 bytes, at offset 0 of every {@code .seg} file)</h2>
 * <pre>
 * offset size field
 *      0    4 magic            0x4C53444C ("LSDL")
 *      4    2 u16 version      3 (2: segments of earlier releases, still read)
 *      6    2 u16 reserved     0
 *      8    8 i64 incarnation  the process start that wrote the segment
 *     16    4 u32 segment      the segment number, as in the file name
 *     20    4 u32 CRC32C       of bytes 0..19
 * </pre>
 *
 * <h2>Frame (repeated after the header; the data ends at the first frame that is not intact)</h2>
 * <pre>
 *      0    4 u32 length       of the payload, 1..1 MiB
 *      4    4 u32 check        CRC32C of the payload XOR the segment number (version 2: the CRC32C alone)
 *      8    n payload          starts with the type byte
 * </pre>
 * Version 3 ties every frame to the pass of the file it was written in: a segment file is recycled (renamed to a new
 * number and written over from its header on) instead of a new one being zero-filled, so the bytes after the data of
 * the new pass are frames of an earlier pass. Those carry another segment number in their check (numbers are never
 * reused within an incarnation), so each of them fails the check of the new number with certainty and reads as the
 * end of the data, never as a record. Version 2 segments were always zero-filled and never recycled.
 *
 * <h2>Payloads</h2>
 * <pre>
 * COMMIT    (type 1)  u8 type, u8 gtridLen, gtrid, i64 decidedAtMillis, u16 branchCount,
 *                     branchCount x (u8 bqualLen, bqual, u16 nameLen, name as UTF-8)
 * END       (type 2)  u8 type, u8 gtridLen, gtrid
 * HEURISTIC (type 3)  u8 type, u8 gtridLen, gtrid, u8 bqualLen, bqual, u16 nameLen, name as UTF-8,
 *                     u8 outcome (1 ROLLBACK, 2 MIXED, 3 HAZARD, 4 LOST), i64 atMillis
 * FORGET    (type 4)  u8 type, u8 gtridLen, gtrid
 * MARK      (type 5)  u8 type, u32 forcedTo
 * </pre>
 * MARK is structural, not a record: the writer starts every batch it writes into a segment with one (13 bytes
 * framed). {@code forcedTo} is the offset in the same segment up to which data was completely forced before this
 * batch was written (24, the header's end, for a fresh segment). The reader takes the largest {@code forcedTo} of any
 * intact MARK of the open segment as the end of the data that was certainly durable: damage below it is corruption,
 * damage at or after it a torn tail ({@code docs/log-format.md}, "Reading").
 * gtrid is 1..64 bytes, bqual 0..64 bytes (the XA limits). A COMMIT with a 34-byte gtrid and two branches with 4-byte
 * qualifiers and 10-character names takes 88 bytes framed, its END 44.
 *
 * <p>Why these choices: the length lets the reader skip to the next frame and spot a torn write; the CRC32C (hardware
 * accelerated on current CPUs) tells a complete frame from a torn or flipped one; the type byte first lets a future
 * version add types; lengths are as small as the XA limits allow, because every byte of a COMMIT is forced.
 */
public final class RecordCodec {

    /** The version written into every new segment header: frames checked with the segment number. */
    public static final int FORMAT_VERSION = 3;
    /** The version of earlier releases: zero-filled segments, frames checked with the plain CRC32C; still read. */
    public static final int VERSION_ZEROED = 2;
    /** "LSDL": Lockstep decision log. */
    public static final int MAGIC = 0x4C53444C;
    public static final int SEGMENT_HEADER_BYTES = 24;
    public static final int FRAME_HEADER_BYTES = 8;
    /** The largest payload a frame may carry. */
    public static final int MAX_RECORD_BYTES = 1 << 20;
    public static final int MAX_ID_BYTES = 64;
    public static final int MAX_NAME_BYTES = 0xFFFF;
    public static final int MAX_BRANCHES = 0xFFFF;

    public static final byte TYPE_COMMIT = 1;
    public static final byte TYPE_END = 2;
    public static final byte TYPE_HEURISTIC = 3;
    public static final byte TYPE_FORGET = 4;
    public static final byte TYPE_MARK = 5;
    /** A framed MARK: 8 bytes of frame header, the type byte and a u32 {@code forcedTo}. */
    public static final int MARK_FRAME_BYTES = FRAME_HEADER_BYTES + 5;

    /** A decoded segment header. */
    public record SegmentHeader(int version, long incarnation, long segment) {
    }

    private RecordCodec() {
    }

    /**
     * Encodes {@code record} as a complete frame (length, CRC, payload). One array per frame and no intermediate
     * copies:
     * it runs for every COMMIT and END on the commit path.
     */
    public static byte[] frame(LogRecord record) {
        byte[] gtrid = Bytes.rawGtrid(record);
        int size = payloadSize(record, gtrid);
        byte[] frame = new byte[FRAME_HEADER_BYTES + size];
        ByteBuffer b = ByteBuffer.wrap(frame);
        b.position(FRAME_HEADER_BYTES);
        writePayload(record, gtrid, b);
        b.putInt(0, size).putInt(4, crc(frame, FRAME_HEADER_BYTES, size));
        return frame;
    }

    /** Encodes the payload of {@code record}; throws {@link IllegalArgumentException} above the 1 MiB limit. */
    public static byte[] encode(LogRecord record) {
        byte[] frame = frame(record);
        return java.util.Arrays.copyOfRange(frame, FRAME_HEADER_BYTES, frame.length);
    }

    private static int payloadSize(LogRecord record, byte[] gtrid) {
        long size = 2 + gtrid.length;
        if (record instanceof CommitRecord c) {
            size += 8 + 2;
            for (CommitRecord.RecordedBranch branch : c.branches()) {
                size += 1 + branch.rawBqual().length + 2 + utf8Length(branch.resourceName());
            }
        } else if (record instanceof HeuristicRecord h) {
            size += 1 + h.rawBqual().length + 2 + utf8Length(h.resourceName()) + 1 + 8;
        }
        if (size > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("record for gtrid " + Bytes.hex(gtrid) + " would be " + size
                    + " bytes, above the limit of " + MAX_RECORD_BYTES + "; list fewer branches or shorter names");
        }
        return (int) size;
    }

    private static void writePayload(LogRecord record, byte[] gtrid, ByteBuffer b) {
        byte type = record instanceof CommitRecord ? TYPE_COMMIT : record instanceof HeuristicRecord ? TYPE_HEURISTIC
                : record instanceof EndRecord ? TYPE_END : TYPE_FORGET;
        b.put(type).put((byte) gtrid.length).put(gtrid);
        if (record instanceof CommitRecord c) {
            List<CommitRecord.RecordedBranch> branches = c.branches();
            b.putLong(c.decidedAtMillis()).putShort((short) branches.size());
            for (CommitRecord.RecordedBranch branch : branches) {
                byte[] bqual = branch.rawBqual();
                b.put((byte) bqual.length).put(bqual);
                putName(b, branch.resourceName());
            }
        } else if (record instanceof HeuristicRecord h) {
            byte[] bqual = h.rawBqual();
            b.put((byte) bqual.length).put(bqual);
            putName(b, h.resourceName());
            b.put(h.outcome().code()).putLong(h.atMillis());
        }
    }

    /** u16 length and the UTF-8 bytes of {@code name}; ASCII names (the usual ones) without an intermediate array. */
    private static void putName(ByteBuffer b, String name) {
        if (isAscii(name)) {
            b.putShort((short) name.length());
            for (int i = 0; i < name.length(); i++) {
                b.put((byte) name.charAt(i));
            }
        } else {
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            b.putShort((short) utf8.length).put(utf8);
        }
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** The length of {@code s} as {@link String#getBytes} encodes it in UTF-8 (a lone surrogate becomes '?'). */
    private static int utf8Length(String s) {
        if (isAscii(s)) {
            return s.length();
        }
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * Decodes one payload. Every read is bounds-checked, so damaged bytes give a {@link MalformedRecordException}
     * that says what was wrong, never an index exception.
     */
    public static LogRecord decode(byte[] buf, int offset, int length) throws MalformedRecordException {
        if (offset < 0 || length < 0 || offset + length > buf.length) {
            throw new MalformedRecordException("payload range " + offset + "+" + length + " is outside a buffer of "
                    + buf.length + " bytes");
        }
        Cursor in = new Cursor(buf, offset, offset + length);
        byte type = (byte) in.u8("type");
        LogRecord record;
        try {
            record = switch (type) {
                case TYPE_COMMIT -> decodeCommit(in);
                case TYPE_END -> new EndRecord(in.id("gtrid", 1));
                case TYPE_HEURISTIC -> decodeHeuristic(in);
                case TYPE_FORGET -> new ForgetRecord(in.id("gtrid", 1));
                default -> throw new MalformedRecordException("unknown record type " + (type & 0xFF));
            };
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException("record of type " + type + " is invalid: " + e.getMessage());
        }
        if (in.pos != in.end) {
            throw new MalformedRecordException("record of type " + type + " has " + (in.end - in.pos)
                    + " unexpected trailing bytes");
        }
        return record;
    }

    private static CommitRecord decodeCommit(Cursor in) throws MalformedRecordException {
        byte[] gtrid = in.id("gtrid", 1);
        long decidedAt = in.i64("decidedAtMillis");
        int count = in.u16("branch count");
        List<CommitRecord.RecordedBranch> branches = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            branches.add(new CommitRecord.RecordedBranch(in.id("bqual of branch " + i, 0),
                    in.name("name of branch " + i)));
        }
        return new CommitRecord(gtrid, decidedAt, branches);
    }

    private static HeuristicRecord decodeHeuristic(Cursor in) throws MalformedRecordException {
        byte[] gtrid = in.id("gtrid", 1);
        byte[] bqual = in.id("bqual", 0);
        String name = in.name("resource name");
        int code = in.u8("outcome");
        HeuristicOutcome outcome = HeuristicOutcome.ofCode((byte) code);
        if (outcome == null) {
            throw new MalformedRecordException("unknown heuristic outcome code " + code);
        }
        return new HeuristicRecord(gtrid, bqual, name, outcome, in.i64("atMillis"));
    }

    /** True if {@code type} names a frame type of this format version (a record or a MARK). */
    public static boolean isKnownType(byte type) {
        return type >= TYPE_COMMIT && type <= TYPE_MARK;
    }

    /**
     * Writes a complete MARK frame saying {@code forcedTo} into {@code buf} at {@code offset}: the writer fills the
     * bytes it reserved at the start of each batch buffer, so a batch needs no extra copy or write.
     */
    public static void fillMark(byte[] buf, int offset, long forcedTo, int salt) {
        fillMark(buf, offset, forcedTo, new CRC32C(), salt);
    }

    /**
     * As {@link #fillMark(byte[], int, long, int)} with a caller's {@code crc} (reset here), so the writer allocates
     * nothing per batch: with a lone committer a batch is a transaction.
     */
    public static void fillMark(byte[] buf, int offset, long forcedTo, CRC32C crc, int salt) {
        if (forcedTo < SEGMENT_HEADER_BYTES || forcedTo > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("forcedTo " + forcedTo + " is not an offset after a segment header");
        }
        int payload = offset + FRAME_HEADER_BYTES;
        buf[payload] = TYPE_MARK;
        putU32(buf, payload + 1, forcedTo);
        putU32(buf, offset, 5);
        crc.reset();
        crc.update(buf, payload, 5);
        putU32(buf, offset + 4, crc.getValue() ^ (salt & 0xFFFFFFFFL));
    }

    /**
     * What a frame's check is XORed with in segment {@code segment} of format {@code version}: the segment number in
     * version 3, nothing (0) in version 2.
     */
    public static int salt(int version, long segment) {
        return version >= FORMAT_VERSION ? (int) segment : 0;
    }

    /**
     * Turns the check of the complete frame at {@code offset} of {@code buf}, as {@link #frame} encoded it (the plain
     * CRC32C), into its check in a segment of {@code salt}: the writer does this when it knows which segment the
     * frame goes into, so a frame is encoded once whatever segment a roll puts it in.
     */
    public static void saltFrame(byte[] buf, int offset, int salt) {
        if (salt != 0) {
            int at = offset + 4;
            putU32(buf, at, (u32(buf, at) ^ salt) & 0xFFFFFFFFL);
        }
    }

    /**
     * True if the check of the frame at {@code pos} of {@code data}, whose payload is {@code payloadLength} bytes,
     * matches: the CRC32C of the payload XOR {@code salt} ({@link #salt}).
     */
    static boolean checkMatches(byte[] data, int pos, int payloadLength, int salt) {
        return ((int) u32(data, pos + 4) ^ salt) == crc(data, pos + FRAME_HEADER_BYTES, payloadLength);
    }

    /** The big-endian unsigned 32-bit integer at {@code p} of {@code b}. */
    static long u32(byte[] b, int p) {
        return ((b[p] & 0xFFL) << 24) | ((b[p + 1] & 0xFFL) << 16) | ((b[p + 2] & 0xFFL) << 8) | (b[p + 3] & 0xFFL);
    }

    private static void putU32(byte[] buf, int at, long v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    /** True if the payload at {@code offset} is a MARK's (its type byte). */
    public static boolean isMark(byte[] buf, int offset) {
        return buf[offset] == TYPE_MARK;
    }

    /** The {@code forcedTo} of an intact MARK payload; throws if the payload is not a well-formed MARK. */
    public static long markForcedTo(byte[] buf, int offset, int length) throws MalformedRecordException {
        if (length != 5 || buf[offset] != TYPE_MARK) {
            throw new MalformedRecordException("a MARK payload is 5 bytes of type " + TYPE_MARK + ", found " + length
                    + " bytes of type " + buf[offset]);
        }
        long forcedTo = ByteBuffer.wrap(buf).getInt(offset + 1) & 0xFFFFFFFFL;
        if (forcedTo < SEGMENT_HEADER_BYTES) {
            throw new MalformedRecordException("MARK forcedTo " + forcedTo + " lies inside the segment header");
        }
        return forcedTo;
    }

    /** CRC32C of a byte range, as stored in frames and headers. */
    public static int crc(byte[] buf, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buf, offset, length);
        return (int) crc.getValue();
    }

    /** The 24-byte header of segment {@code segment} of {@code incarnation}, format {@value #FORMAT_VERSION}. */
    public static byte[] segmentHeader(long incarnation, long segment) {
        return segmentHeader(FORMAT_VERSION, incarnation, segment);
    }

    /**
     * The 24-byte header of segment {@code segment} of {@code incarnation} in format {@code version} (2 or 3; 2 only
     * for tests that write the segments of earlier releases).
     */
    public static byte[] segmentHeader(int version, long incarnation, long segment) {
        if (version != FORMAT_VERSION && version != VERSION_ZEROED) {
            throw new IllegalArgumentException("segment format version " + version + " is not written");
        }
        byte[] h = new byte[SEGMENT_HEADER_BYTES];
        ByteBuffer b = ByteBuffer.wrap(h);
        b.putInt(MAGIC).putShort((short) version).putShort((short) 0).putLong(incarnation)
                .putInt((int) segment);
        b.putInt(crc(h, 0, SEGMENT_HEADER_BYTES - 4));
        return h;
    }

    /**
     * Reads a segment header: {@code null} if the bytes are short, or the magic or CRC do not match (a header that was
     * never completely written); throws if the header is intact but of a format version other than 2 or 3.
     */
    public static SegmentHeader readSegmentHeader(byte[] buf) throws MalformedRecordException {
        if (buf.length < SEGMENT_HEADER_BYTES) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(buf, 0, SEGMENT_HEADER_BYTES);
        int magic = b.getInt();
        int version = b.getShort() & 0xFFFF;
        b.getShort();
        long incarnation = b.getLong();
        long segment = b.getInt() & 0xFFFFFFFFL;
        int crc = b.getInt();
        if (magic != MAGIC || crc != crc(buf, 0, SEGMENT_HEADER_BYTES - 4)) {
            return null;
        }
        if (version != FORMAT_VERSION && version != VERSION_ZEROED) {
            throw new MalformedRecordException("segment format version " + version + " is not supported; this build"
                    + " reads versions " + VERSION_ZEROED + " and " + FORMAT_VERSION + " only (docs/log-format.md)"
                    + (version < VERSION_ZEROED
                    ? "; version 1 was written by development builds before the MARK frame and the manifest: let"
                    + " that build's recovery finish the log, or delete the log if nothing in it is open"
                    : "; use the Lockstep version that wrote the log"));
        }
        return new SegmentHeader(version, incarnation, segment);
    }

    /** Bounds-checked reads over a payload. */
    private static final class Cursor {
        private final byte[] buf;
        private int pos;
        private final int end;

        Cursor(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        private void need(int n, String what) throws MalformedRecordException {
            if (end - pos < n) {
                throw new MalformedRecordException("payload ends before " + what + ": needs " + n + " bytes at offset "
                        + pos + ", only " + (end - pos) + " left");
            }
        }

        int u8(String what) throws MalformedRecordException {
            need(1, what);
            return buf[pos++] & 0xFF;
        }

        int u16(String what) throws MalformedRecordException {
            need(2, what);
            int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        long i64(String what) throws MalformedRecordException {
            need(8, what);
            long v = ByteBuffer.wrap(buf, pos, 8).getLong();
            pos += 8;
            return v;
        }

        byte[] id(String what, int min) throws MalformedRecordException {
            int len = u8(what + " length");
            if (len < min || len > MAX_ID_BYTES) {
                throw new MalformedRecordException(what + " length " + len + " is outside " + min + ".." + MAX_ID_BYTES);
            }
            need(len, what);
            byte[] v = java.util.Arrays.copyOfRange(buf, pos, pos + len);
            pos += len;
            return v;
        }

        String name(String what) throws MalformedRecordException {
            int len = u16(what + " length");
            need(len, what);
            try {
                String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(buf, pos, len))
                        .toString();
                pos += len;
                return s;
            } catch (CharacterCodingException e) {
                throw new MalformedRecordException(what + " is not valid UTF-8");
            }
        }
    }
}
