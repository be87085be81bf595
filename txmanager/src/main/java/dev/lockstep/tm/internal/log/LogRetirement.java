package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogManifest;
import dev.lockstep.tm.log.LogReader;
import dev.lockstep.tm.log.ReplayResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Deletes the files of an incarnation in which nothing is open, in an order that leaves something the reader
 * understands after a crash at any point (docs/log-format.md, "Retirement"):
 * <ol>
 * <li>the manifest is replaced by a retired one (atomically, forced): from now on the incarnation reads as having
 * nothing open, whatever segment files are left;</li>
 * <li>its segment files are deleted, and the directory forced;</li>
 * <li>the manifest and the lock file are deleted, and the directory forced. Only after step 2 is durable may the
 * manifest go: a segment with data and no manifest reads as a lost manifest, which is corruption.</li>
 * </ol>
 * The caller holds the incarnation's lock.
 */
final class LogRetirement {

    private LogRetirement() {
    }

    /** Retires {@code incarnation} after a replay through {@code storage} proves nothing in it is open. */
    static void retire(LogStorage storage, Path nodeDir, long incarnation, Path lockFile) throws IOException {
        ReplayResult check = LogReader.replay(nodeDir, incarnation, LogFiles.source(storage));
        if (!check.nothingPending()) {
            throw new IllegalStateException("incarnation " + incarnation + " in " + nodeDir + " still has "
                    + check.pending().size() + " open decision(s); it is not retired");
        }
        deleteFiles(storage, nodeDir, incarnation, lockFile, check.manifest() != null);
    }

    /** The deletions of {@link #retire}, for a caller that replayed the incarnation itself. */
    static void deleteFiles(LogStorage storage, Path nodeDir, long incarnation, Path lockFile, boolean hasManifest)
            throws IOException {
        Path manifest = nodeDir.resolve(LogLayout.manifestFileName(incarnation));
        if (hasManifest) {
            LogFiles.writeManifest(storage, nodeDir, LogManifest.retiredOf(incarnation));
        }
        List<Path> segments = LogLayout.segmentsIn(storage.list(nodeDir), incarnation);
        for (Path segment : segments) {
            storage.delete(segment);
        }
        if (!segments.isEmpty()) {
            storage.forceDirectory(nodeDir);
        }
        storage.delete(manifest);
        storage.delete(manifest.resolveSibling(manifest.getFileName() + ".tmp"));
        storage.delete(lockFile);
        storage.forceDirectory(nodeDir);
    }
}
