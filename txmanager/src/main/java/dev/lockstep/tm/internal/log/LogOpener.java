package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogReader;
import dev.lockstep.tm.log.ReplayResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a new incarnation of a node's log. The steps, in this order:
 * <ol>
 * <li>Create the node directory (forcing its parent if it is new).</li>
 * <li>Lock {@code node.lock}; if it is held, fail with {@link LogLockedException} (DESIGN.md invariant 4).</li>
 * <li>Read, increment and atomically replace the {@code incarnation} counter, forced, before anything else is
 * written: two process starts must never share an incarnation, since it goes into every XID.</li>
 * <li>Lock the new incarnation's lock file and create its first segment.</li>
 * <li>For each older incarnation on disk: if its lock is free, replay it; retire it (delete its segments and lock
 * file, force the directory) if nothing is open, else keep it and release its lock. If its lock is held (a recovery
 * service works on it), replay it read-only. Open decisions are reported as in doubt; a corrupt older log fails the
 * open, loudly.</li>
 * </ol>
 */
final class LogOpener {

    private final LogSettings settings;
    private final LogStorage storage;
    private final Path nodeDir;

    LogOpener(LogSettings settings, LogStorage storage) {
        this.settings = settings;
        this.storage = storage;
        this.nodeDir = LogLayout.nodeDirectory(settings.logDirectory(), settings.nodeId());
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
            writer = new SegmentWriter(storage, nodeDir, incarnation, settings.segmentBytes());
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
            List<Path> segments = LogLayout.segmentsIn(files, older);
            Path lockFile = nodeDir.resolve(LogLayout.incarnationLockFileName(older));
            LogStorage.LockHandle held = storage.tryLock(lockFile);
            if (held == null) {
                // A recovery service holds it: read only, it decides what happens to the files.
                ReplayResult replay = LogReader.replay(segments, older, this::readAll);
                if (!replay.nothingPending()) {
                    inDoubt.add(new DeadIncarnation(older, replay));
                }
                continue;
            }
            try (held) {
                ReplayResult replay = LogReader.replay(segments, older, this::readAll);
                if (replay.nothingPending()) {
                    for (Path s : segments) {
                        storage.delete(s);
                    }
                    storage.delete(lockFile);
                    storage.forceDirectory(nodeDir);
                } else {
                    inDoubt.add(new DeadIncarnation(older, replay));
                }
            }
        }
        return inDoubt;
    }

    private byte[] readAll(Path file) throws IOException {
        return LogFiles.readAll(storage, file);
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
