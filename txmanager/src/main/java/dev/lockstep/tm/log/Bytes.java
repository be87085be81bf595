package dev.lockstep.tm.log;

import java.util.HexFormat;

/** Small helpers shared by the record types: defensive copies, length checks and hex rendering. */
final class Bytes {

    private static final HexFormat HEX = HexFormat.of();

    private Bytes() {
    }

    static byte[] copyChecked(byte[] value, String what, int min, int max) {
        if (value == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (value.length < min || value.length > max) {
            throw new IllegalArgumentException(
                    what + " must be " + min + ".." + max + " bytes long, was " + value.length + " (" + hex(value) + ")");
        }
        return value.clone();
    }

    /** The record's gtrid without a copy: records are immutable and never hand out their arrays. */
    static byte[] rawGtrid(LogRecord record) {
        if (record instanceof CommitRecord c) {
            return c.rawGtrid();
        } else if (record instanceof EndRecord e) {
            return e.rawGtrid();
        } else if (record instanceof HeuristicRecord h) {
            return h.rawGtrid();
        }
        return ((ForgetRecord) record).rawGtrid();
    }

    static String hex(byte[] value) {
        return HEX.formatHex(value);
    }

    static String checkedName(String resourceName) {
        if (resourceName == null || resourceName.isEmpty()) {
            throw new IllegalArgumentException("resource name must not be null or empty");
        }
        // A char is at most 3 UTF-8 bytes: only a long name needs encoding to be measured (this runs per COMMIT).
        if (resourceName.length() > RecordCodec.MAX_NAME_BYTES / 3
                && resourceName.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > RecordCodec.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("resource name is longer than " + RecordCodec.MAX_NAME_BYTES
                    + " UTF-8 bytes: " + resourceName.substring(0, 40) + "...");
        }
        return resourceName;
    }
}
