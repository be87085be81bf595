package dev.lockstep.tm.internal.xa;

import dev.lockstep.tm.spi.LockstepXids;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes the global ids of one incarnation of one node. Unique across restarts because the incarnation number is
 * persisted and increased at every start, and the sequence increases within it.
 */
public final class XidFactory {

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
        return LockstepXids.requireValidNodeId(nodeId);
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
