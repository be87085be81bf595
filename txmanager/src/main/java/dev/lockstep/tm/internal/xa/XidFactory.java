package dev.lockstep.tm.internal.xa;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Makes the global ids of one incarnation of one node. Unique across restarts because the incarnation number is
 * persisted and increased at every start, and the sequence increases within it.
 */
public final class XidFactory {

    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]+");

    private final byte[] nodeId;
    private final long incarnation;
    private final AtomicLong sequence = new AtomicLong();

    public XidFactory(String nodeId, long incarnation) {
        this.nodeId = validateNodeId(nodeId).getBytes(StandardCharsets.US_ASCII);
        this.incarnation = incarnation;
    }

    /**
     * Returns {@code nodeId} if it can be carried in an XID and used as a file name, else throws with a message that
     * names the setting and says what to do.
     */
    public static String validateNodeId(String nodeId) {
        if (nodeId == null || nodeId.isEmpty()) {
            throw new IllegalArgumentException("nodeId is missing: set a node id that is unique among the "
                    + "transaction managers sharing your resources and stable across restarts, e.g. \"orders-1\"");
        }
        if (!NODE_ID.matcher(nodeId).matches() || nodeId.equals(".") || nodeId.equals("..")) {
            throw new IllegalArgumentException("nodeId '" + nodeId + "' has characters other than letters, digits, "
                    + "'.', '_' and '-', or is '.' or '..': it is written into every XID and names a directory");
        }
        if (nodeId.length() > LockstepXid.MAX_NODE_ID_LENGTH) {
            throw new IllegalArgumentException("nodeId '" + nodeId + "' is " + nodeId.length() + " characters; at most "
                    + LockstepXid.MAX_NODE_ID_LENGTH + " fit in the 64-byte global transaction id: choose a shorter one");
        }
        return nodeId;
    }

    /** The gtrid of a new transaction begun at {@code beginMillis} with a timeout of {@code timeoutSeconds}. */
    public byte[] newGtrid(long beginMillis, int timeoutSeconds) {
        return newGtrid(beginMillis, timeoutSeconds, nextSequence());
    }

    /** The next sequence number of this incarnation; unique, increasing. */
    public long nextSequence() {
        return sequence.incrementAndGet();
    }

    /** The gtrid of a new transaction with a sequence number from {@link #nextSequence()}. */
    public byte[] newGtrid(long beginMillis, int timeoutSeconds, long sequence) {
        return LockstepXid.newGtrid(nodeId, incarnation, beginMillis, timeoutSeconds, sequence);
    }

    public long incarnation() {
        return incarnation;
    }
}
