package dev.lockstep.tm.recovery;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Something a scan or an inspection noticed about a node's decision log, as fields rather than only as words: a log
 * that cannot be used (its transactions wait for an operator), a node with no log at all, or an ignored torn tail.
 * Tools read the file and the offset here instead of parsing {@link #detail()}.
 *
 * @param kind what was found
 * @param nodeId the node whose log it is
 * @param incarnation the incarnation, or null when the finding concerns the whole node
 * @param id the message id the detail starts with (such as {@link dev.lockstep.tm.messages.TmMessage#CORRUPT_LOG}
 *     as text), or null for a torn tail (nothing to act on)
 * @param file the file at fault (a segment, the manifest, the node's directory), or null when there is none
 * @param offset the byte offset within {@link #file()} (corruption, torn tail), or null
 * @param detail the whole message, as in {@link ScanReport#logProblems()} for a problem
 */
public record LogFinding(FindingKind kind, String nodeId, Long incarnation, String id, Path file, Long offset,
        String detail) {

    /** What was found. */
    public enum FindingKind {
        /** Damage inside forced data (invariant 8): recovery of the incarnation stops; a problem. */
        CORRUPT,
        /** The incarnation's log cannot be read (an I/O error, not corruption); a problem. */
        UNREADABLE,
        /** The node's log directory cannot be listed; a problem. */
        DIRECTORY_UNREADABLE,
        /** Resources hold branches of the node, but the node (or the incarnation) has no log; a problem. */
        MISSING,
        /**
         * The node has no log at all and nothing of it is listed: it never ran with this log directory. Not a
         * problem for a scan (a service may be set up before its nodes start), but worth telling whoever lists.
         */
        NO_LOG,
        /**
         * Bytes after the last intact frame of the open segment, never acknowledged and ignored (invariant 8); a
         * taken-over log is repaired, a live one is the owner's write in progress. Not a problem.
         */
        TORN_TAIL
    }

    public LogFinding {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(detail, "detail");
    }

    /** True if the finding stops recovery of some transactions: it is also one of the report's log problems. */
    public boolean problem() {
        return kind != FindingKind.NO_LOG && kind != FindingKind.TORN_TAIL;
    }
}
