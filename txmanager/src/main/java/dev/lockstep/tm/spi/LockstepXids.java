package dev.lockstep.tm.spi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.transaction.xa.Xid;

/**
 * What pools, recovery and tools may know of Lockstep's XIDs (docs/design.md invariant 2): the format id, the layout of
 * the global id and the rule for node ids. docs/log-format.md ("XIDs") has the layout byte by byte; the core's XID
 * factory writes what this class reads.
 */
public final class LockstepXids {

    /** Lockstep's XA format id ("LKST"); positive, because MariaDB rejects -1 (docs/xa-quirks.md). */
    public static final int FORMAT_ID = 0x4C4B5354;
    /** The layout version, the first byte of every Lockstep gtrid. */
    public static final int LAYOUT_VERSION = 1;
    /** The bytes of a gtrid besides the node id: version, length, incarnation, begin, timeout, sequence. */
    public static final int FIXED_GTRID_BYTES = 30;
    /** The longest node id that fits the 64-byte global id. */
    public static final int MAX_NODE_ID_LENGTH = Xid.MAXGTRIDSIZE - FIXED_GTRID_BYTES;

    /**
     * The longest node id with the database decision store (docs/cluster.md): a Kubernetes pod's name. Its XIDs carry
     * {@link #xidNodeName}, a name of at most {@link #MAX_NODE_ID_LENGTH} the store keeps beside the full one.
     */
    public static final int MAX_STORE_NODE_ID_LENGTH = 63;

    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]+");

    private LockstepXids() {
    }

    /** True if {@code xid} is one of Lockstep's (format id and gtrid layout). */
    public static boolean isLockstep(Xid xid) {
        return xid != null && xid.getFormatId() == FORMAT_ID && parseGlobalId(xid.getGlobalTransactionId()).isPresent();
    }

    /**
     * Returns {@code nodeId} if it can be carried in an XID and used as a directory name, else throws with a message
     * that names the setting and says what to do.
     */
    public static String requireValidNodeId(String nodeId) {
        if (nodeId == null || nodeId.isEmpty()) {
            throw new IllegalArgumentException("nodeId is missing: set a node id that is unique among the "
                    + "transaction managers sharing your resources and stable across restarts, e.g. \"orders-1\"");
        }
        if (!NODE_ID.matcher(nodeId).matches() || nodeId.equals(".") || nodeId.equals("..")) {
            throw new IllegalArgumentException("nodeId '" + nodeId + "' has characters other than letters, digits, "
                    + "'.', '_' and '-', or is '.' or '..': it is written into every XID and names a directory");
        }
        if (nodeId.length() > MAX_NODE_ID_LENGTH) {
            throw new IllegalArgumentException("nodeId '" + nodeId + "' is " + nodeId.length() + " characters; at most "
                    + MAX_NODE_ID_LENGTH + " fit in the 64-byte global transaction id: choose a shorter one");
        }
        return nodeId;
    }

    /**
     * Returns {@code nodeId} if the database decision store can keep it: the same characters as
     * {@link #requireValidNodeId}, at most {@value #MAX_STORE_NODE_ID_LENGTH} of them (a pod's name).
     */
    public static String requireValidStoreNodeId(String nodeId) {
        if (nodeId != null && nodeId.length() > MAX_NODE_ID_LENGTH && nodeId.length() <= MAX_STORE_NODE_ID_LENGTH
                && NODE_ID.matcher(nodeId).matches()) {
            return nodeId;
        }
        if (nodeId != null && nodeId.length() > MAX_STORE_NODE_ID_LENGTH) {
            throw new IllegalArgumentException("nodeId '" + nodeId + "' is " + nodeId.length() + " characters; at "
                    + "most " + MAX_STORE_NODE_ID_LENGTH + " with the database decision store (a pod's name fits)");
        }
        return requireValidNodeId(nodeId);
    }

    /**
     * The name XIDs carry for {@code nodeId} in the database decision store: the id itself when it fits
     * ({@value #MAX_NODE_ID_LENGTH} characters), else its start, a dot and {@code number} in hex, a number the store
     * assigned to that id alone, so two long ids never share a name.
     */
    public static String xidNodeName(String nodeId, long number) {
        if (nodeId.length() <= MAX_NODE_ID_LENGTH) {
            return nodeId;
        }
        String suffix = "." + Long.toHexString(number);
        return nodeId.substring(0, MAX_NODE_ID_LENGTH - suffix.length()) + suffix;
    }

    /**
     * The fields of a Lockstep global transaction id, for tools that show them (the recovery service's list and log
     * dump).
     *
     * @param nodeId the node that began the transaction
     * @param incarnation the process start of that node
     * @param begin when it began
     * @param timeoutSeconds its timeout: begin plus timeout is its decision deadline
     * @param sequence its number within the incarnation
     */
    public record GlobalId(String nodeId, long incarnation, Instant begin, int timeoutSeconds, long sequence) {

        /** {@code node:incarnation:sequence}, as Lockstep's messages print a transaction. */
        public String shortId() {
            return nodeId + ":" + incarnation + ":" + sequence;
        }

        /** The begin time in epoch milliseconds, as the XID carries it. */
        public long beginMillis() {
            return begin.toEpochMilli();
        }

        /** Begin plus timeout: past it the transaction may not decide to commit (docs/design.md invariant 5). */
        public long deadlineMillis() {
            return begin.toEpochMilli() + timeoutSeconds * 1000L;
        }

        /** The same as {@link #shortId()}. */
        @Override
        public String toString() {
            return shortId();
        }
    }

    /** The fields of {@code gtrid} if it is one of Lockstep's (layout version 1), else empty. */
    public static Optional<GlobalId> parseGlobalId(byte[] gtrid) {
        if (gtrid == null || gtrid.length < FIXED_GTRID_BYTES + 1 || gtrid[0] != LAYOUT_VERSION) {
            return Optional.empty();
        }
        int n = gtrid[1] & 0xFF;
        if (n < 1 || n > MAX_NODE_ID_LENGTH || gtrid.length != FIXED_GTRID_BYTES + n) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(gtrid, 2 + n, FIXED_GTRID_BYTES - 2);
        return Optional.of(new GlobalId(new String(gtrid, 2, n, StandardCharsets.US_ASCII), b.getLong(),
                Instant.ofEpochMilli(b.getLong()), b.getInt(), b.getLong()));
    }

    /** The node id that made {@code xid}, or null if it is not one of Lockstep's. */
    public static String nodeIdOf(Xid xid) {
        if (xid == null || xid.getFormatId() != FORMAT_ID) {
            return null;
        }
        return parseGlobalId(xid.getGlobalTransactionId()).map(GlobalId::nodeId).orElse(null);
    }
}
