package dev.lockstep.recoveryservice;

import dev.lockstep.tm.spi.LockstepXids;
import java.util.HexFormat;
import java.util.Optional;

/** Global transaction ids as text: hex both ways, and the fields of a Lockstep gtrid (docs/design.md invariant 2). */
final class GtridText {

    private static final HexFormat HEX = HexFormat.of();

    private GtridText() {
    }

    /** The fields of {@code gtrid}, or empty if it is not a Lockstep gtrid. */
    static Optional<LockstepXids.GlobalId> parse(byte[] gtrid) {
        return LockstepXids.parseGlobalId(gtrid);
    }

    /** The fields of the gtrid written as lower- or upper-case hex, or empty if it is not hex of our layout. */
    static Optional<LockstepXids.GlobalId> parseHex(String hex) {
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
}
