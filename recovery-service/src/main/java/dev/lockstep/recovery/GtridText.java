package dev.lockstep.recovery;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Reads the fields of a Lockstep global transaction id for people: {@code node:incarnation:sequence}, begin time
 * and timeout. Mirrors gtrid layout version 1 as documented in txmanager's {@code LockstepXid} (DESIGN.md invariant
 * 2), because txmanager exposes no public parser yet; a gtrid of another layout is shown as hex only.
 *
 * <pre>
 * 0 u8 layout version (1) | 1 u8 n | 2 node id (n bytes, ASCII) | 2+n i64 incarnation | 10+n i64 begin millis
 * | 18+n i32 timeout seconds | 22+n i64 sequence          = 30+n bytes
 * </pre>
 */
record GtridText(String nodeId, long incarnation, Instant begin, int timeoutSeconds, long sequence) {

    private static final HexFormat HEX = HexFormat.of();
    private static final int FIXED_BYTES = 30;

    /** The fields of {@code gtrid}, or empty if it is not of layout version 1. */
    static Optional<GtridText> parse(byte[] gtrid) {
        if (gtrid == null || gtrid.length < FIXED_BYTES + 1 || gtrid[0] != 1) {
            return Optional.empty();
        }
        int n = gtrid[1] & 0xFF;
        if (gtrid.length != FIXED_BYTES + n) {
            return Optional.empty();
        }
        for (int i = 2; i < 2 + n; i++) {
            if (gtrid[i] < 0x21 || gtrid[i] > 0x7e) {
                return Optional.empty();
            }
        }
        ByteBuffer b = ByteBuffer.wrap(gtrid, 2 + n, FIXED_BYTES - 2);
        String node = new String(gtrid, 2, n, StandardCharsets.US_ASCII);
        long incarnation = b.getLong();
        Instant begin = Instant.ofEpochMilli(b.getLong());
        int timeout = b.getInt();
        return Optional.of(new GtridText(node, incarnation, begin, timeout, b.getLong()));
    }

    /** The fields of the gtrid written as lower- or upper-case hex, or empty if it is not hex of our layout. */
    static Optional<GtridText> parseHex(String hex) {
        return decodeHex(hex).flatMap(GtridText::parse);
    }

    /** The bytes of {@code hex}, or empty if it is not an even number of hex digits. */
    static Optional<byte[]> decodeHex(String hex) {
        if (hex == null || hex.isEmpty() || hex.length() % 2 != 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(HEX.parseHex(hex));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** {@code node:incarnation:sequence}, as txmanager's messages print a transaction. */
    String shortId() {
        return nodeId + ":" + incarnation + ":" + sequence;
    }
}
