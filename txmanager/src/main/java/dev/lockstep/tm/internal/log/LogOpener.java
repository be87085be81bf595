package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogReader;
import dev.lockstep.tm.log.RecordCodec;
import dev.lockstep.tm.log.ReplayResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Starts a new incarnation of a node's log. The steps, in this order:
 * <ol>
 * <li>Create the node directory (forcing its parent if it is new).</li>
 * <li>Lock {@code node.lock}; if it is held, fail with {@link LogLockedException} (invariant 4,
 * docs/log-format.md).</li>
 * <li>Read, increment and atomically replace the {@code incarnation} counter, forced, before anything else is
 * written: two process starts must never share an incarnation, since it goes into every XID.</li>
 * <li>Lock the new incarnation's lock file, create its first segment and its manifest.</li>
 * <li>For each older incarnation on disk: if its lock is free, replay it; retire it ({@link LogRetirement}) if
 * nothing is open, else keep it and release its lock. If its lock is held (a recovery service works on it), replay it
 * read-only with {@link LogReplays#readOnly}, which tries again while the recovery changes it and reads one it
 * retires meanwhile as having nothing open. Open decisions are reported as in doubt; a corrupt older log fails the
 * open, loudly.</li>
 * </ol>
 */
final class LogOpener {

    private final LogSettings settings;
    private final LogStorage storage;
    private final Path nodeDir;
    private final long segmentBytes;
    private final Executor prepareIn;
    private final int formatVersion;

    LogOpener(LogSettings settings, LogStorage storage) {
        this(settings, storage, settings.segmentBytes(), null, RecordCodec.FORMAT_VERSION);
    }

    /**
     * For tests only: segments of {@code segmentBytes} (which may be below {@link LogSettings#MIN_SEGMENT_BYTES}, so
     * a short run crosses many rolls) and the next segment prepared on {@code prepareIn} (a direct executor makes
     * the order of storage operations repeatable), writing segments of {@code formatVersion}.
     */
    LogOpener(LogSettings settings, LogStorage storage, long segmentBytes, Executor prepareIn, int formatVersion) {
        this.formatVersion = formatVersion;
        this.settings = settings;
        this.storage = storage;
        this.nodeDir = LogLayout.nodeDirectory(settings.logDirectory(), settings.nodeId());
        this.segmentBytes = segmentBytes;
        this.prepareIn = prepareIn;
    }

    OpenedLog open() throws IOException {
        if (storage.createDirectories(nodeDir)) {
            storage.forceDirectory(nodeDir.getParent());
        }
        List<LogStorage.LockHandle> locks = new ArrayList<>(2);
        SegmentWriter writer = null;
        try {
            Path nodeLockFile = nodeDir.resolve(LogLayout.NODE_LOCK);
            LogStorage.LockHandle nodeLock = storage.tryLock(nodeLockFile);
            if (nodeLock == null) {
                throw new LogLockedException(nodeDir, settings.nodeId(), nodeLockFile);
            }
            locks.add(nodeLock);
            long incarnation = nextIncarnation();
            Path incLockFile = nodeDir.resolve(LogLayout.incarnationLockFileName(incarnation));
            LogStorage.LockHandle incLock = storage.tryLock(incLockFile);
            if (incLock == null) {
                throw new LogLockedException(nodeDir, settings.nodeId(), incLockFile);
            }
            locks.add(incLock);
            writer = new SegmentWriter(storage, nodeDir, incarnation, segmentBytes, true, prepareIn, formatVersion);
            writer.start();
            List<DeadIncarnation> inDoubt = examineOlder(incarnation);
            return new OpenedLog(new DecisionLog(settings, incarnation, writer, locks), inDoubt);
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(writer, locks, e);
            throw e;
        }
    }

    private long nextIncarnation() throws IOException {
        Long counted = IncarnationCounter.read(storage, nodeDir);
        long last = counted == null ? 0 : counted;
        for (long onDisk : LogLayout.incarnationsIn(storage.list(nodeDir))) {
            last = Math.max(last, onDisk);
        }
        long next = last + 1;
        IncarnationCounter.write(storage, nodeDir, next);
        return next;
    }

    private List<DeadIncarnation> examineOlder(long current) throws IOException {
        List<DeadIncarnation> inDoubt = new ArrayList<>();
        List<Path> files = storage.list(nodeDir);
        for (long older : LogLayout.incarnationsIn(files)) {
            if (older >= current) {
                continue;
            }
            Path lockFile = nodeDir.resolve(LogLayout.incarnationLockFileName(older));
            LogStorage.LockHandle held = storage.tryLock(lockFile);
            if (held == null) {
                // A recovery service holds it: read only, it decides what happens to the files.
                ReplayResult replay = LogReplays.readOnly(storage, nodeDir, older);
                if (!replay.nothingPending()) {
                    inDoubt.add(new DeadIncarnation(older, replay));
                }
                continue;
            }
            try (held) {
                ReplayResult replay = LogReader.replay(nodeDir, older, LogFiles.source(storage));
                if (replay.nothingPending()) {
                    LogRetirement.deleteFiles(storage, nodeDir, older, lockFile, replay.manifest() != null);
                } else {
                    inDoubt.add(new DeadIncarnation(older, replay));
                }
            }
        }
        return inDoubt;
    }

    private static void closeQuietly(SegmentWriter writer, List<LogStorage.LockHandle> locks, Throwable failure) {
        try {
            if (writer != null) {
                writer.close();
            }
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
        for (int i = locks.size() - 1; i >= 0; i--) {
            try {
                locks.get(i).close();
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
    }
}
