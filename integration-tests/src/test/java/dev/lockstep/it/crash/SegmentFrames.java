package dev.lockstep.it.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and damages decision-log segment files byte by byte, after docs/log-format.md (format version 2) and
 * independently of the log's own reader: a 24-byte segment header, then frames of u32 length, u32 CRC32C and a
 * payload whose first byte is the frame type (1 COMMIT, 2 END, 3 HEURISTIC, 4 FORGET, 5 MARK: the 13-byte frame that
 * starts every batch and says up to where the segment was forced before it), until a length of 0.
 */
final class SegmentFrames {

    static final int HEADER_BYTES = 24;
    static final int FRAME_HEADER_BYTES = 8;
    static final int TYPE_COMMIT = 1;
    static final int TYPE_END = 2;
    static final int TYPE_MARK = 5;

    /** One frame: where it starts in the file, its payload length and record type. */
    record Frame(long offset, int length, int type) {
        long end() {
            return offset + FRAME_HEADER_BYTES + length;
        }

        String typeName() {
            return switch (type) {
                case 1 -> "COMMIT";
                case 2 -> "END";
                case 3 -> "HEURISTIC";
                case 4 -> "FORGET";
                case 5 -> "MARK";
                default -> "type " + type;
            };
        }

        @Override
        public String toString() {
            return typeName() + "@" + offset + "+" + (FRAME_HEADER_BYTES + length);
        }
    }

    private SegmentFrames() {
    }

    /** The record frames of {@code segment} (its MARK frames left out), up to the end of its data. */
    static List<Frame> records(Path segment) throws IOException {
        return read(segment).stream().filter(f -> f.type() != TYPE_MARK).toList();
    }

    /** The frames of {@code segment}, MARKs included, up to the first length of 0 (the end of its data). */
    static List<Frame> read(Path segment) throws IOException {
        List<Frame> frames = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            long pos = HEADER_BYTES;
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate(FRAME_HEADER_BYTES + 1);
            while (pos + FRAME_HEADER_BYTES + 1 <= size) {
                head.clear();
                ch.read(head, pos);
                int length = head.getInt(0);
                if (length == 0) {
                    break;
                }
                if (length < 0 || pos + FRAME_HEADER_BYTES + length > size) {
                    throw new IOException(segment + ": frame at " + pos + " has length " + length
                            + " past the end of the file: the segment is already damaged");
                }
                frames.add(new Frame(pos, length, head.get(FRAME_HEADER_BYTES) & 0xFF));
                pos += FRAME_HEADER_BYTES + length;
            }
        }
        return frames;
    }

    /** Writes {@code bytes} at {@code offset}, in place, and forces the file. */
    static void write(Path segment, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b, offset + b.position());
            }
            ch.force(true);
        }
    }

    /** Inverts every bit of the byte at {@code offset}; returns its old value. */
    static int flip(Path segment, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            int old = b.get(0) & 0xFF;
            ch.write(ByteBuffer.wrap(new byte[] {(byte) ~old}), offset);
            ch.force(true);
            return old;
        }
    }
}
