package dev.lockstep.tm.internal.recovery;

import dev.lockstep.tm.internal.log.DecisionLog;
import dev.lockstep.tm.internal.log.IncarnationCounter;
import dev.lockstep.tm.internal.log.LogReplays;
import dev.lockstep.tm.internal.log.LogSettings;
import dev.lockstep.tm.internal.log.LogStorage;
import dev.lockstep.tm.internal.log.LogTakeover;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.ForgetRecord;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.ReplayResult;
import dev.lockstep.tm.recovery.InDoubtTransaction.Owner;
import dev.lockstep.tm.recovery.Recovery;
import dev.lockstep.tm.recovery.RecoveryLockedException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The decisions in the file log of docs/log-format.md: per node an {@code incarnation} counter and per incarnation
 * a lock file, a manifest and segments. Ownership is the incarnation's OS lock (invariant 4): a free lock means a dead
 * owner, whose log is taken over ({@link LogTakeover}) before anything is written to it. Every file access, reads and
 * recovery's own writes alike (HEURISTIC, END, FORGET, COMMIT of a resolve, retirement), goes through the
 * {@link LogStorage} given, so a simulated disk can fail any of them.
 */
public final class FileDecisionSource implements DecisionSource {

    private final Path logDirectory;
    private final LogStorage storage;

    public FileDecisionSource(Path logDirectory, LogStorage storage) {
        this.logDirectory = logDirectory;
        this.storage = storage;
    }

    @Override
    public String location() {
        return logDirectory.toString();
    }

    @Override
    public String location(String nodeId) {
        return LogLayout.nodeDirectory(logDirectory, nodeId).toString();
    }

    /** The subdirectories of the log directory that hold a node's incarnation counter. */
    @Override
    public List<String> nodes() throws IOException {
        List<String> nodes = new java.util.ArrayList<>();
        for (Path dir : storage.list(logDirectory)) {
            String name = dir.getFileName().toString();
            try {
                if (IncarnationCounter.read(storage, dir) != null) {
                    nodes.add(name);
                }
            } catch (java.nio.file.NotDirectoryException e) {
                // A file beside the nodes' directories: not a node.
            }
        }
        java.util.Collections.sort(nodes);
        return nodes;
    }

    @Override
    public RecoveryLock lockForRecovery(String nodeId) throws IOException {
        Path nodeDir = LogLayout.nodeDirectory(logDirectory, nodeId);
        if (storage.createDirectories(nodeDir)) {
            storage.forceDirectory(logDirectory);
        }
        Path lockFile = nodeDir.resolve(Recovery.RECOVERY_LOCK);
        LogStorage.LockHandle lock = storage.tryLock(lockFile);
        if (lock == null) {
            throw new RecoveryLockedException(nodeId, lockFile);
        }
        return new RecoveryLock() {
            @Override
            public String name() {
                return lock.file().toString();
            }

            @Override
            public void close() throws IOException {
                lock.close();
            }
        };
    }

    @Override
    public Long lastIncarnation(String nodeId) throws IOException {
        return IncarnationCounter.read(storage, LogLayout.nodeDirectory(logDirectory, nodeId));
    }

    @Override
    public NodeDecisions node(String nodeId) throws IOException {
        Path nodeDir = LogLayout.nodeDirectory(logDirectory, nodeId);
        Long last = IncarnationCounter.read(storage, nodeDir);
        List<Path> files = storage.list(nodeDir);
        return new Node(nodeId, nodeDir, last, files);
    }

    @Override
    public Taken takeOver(String nodeId, long incarnation) throws IOException {
        LogTakeover.TakenOver t = LogTakeover.takeOver(LogSettings.of(logDirectory, nodeId), storage, incarnation);
        if (t == null) {
            return null;
        }
        ReplayResult replay = t.replay();
        return new Taken(new FileLog(t.log()), replay.pending(), replay.tornTail().map(tt -> "; torn tail at "
                + tt.file() + " offset " + tt.offset() + " (" + tt.problem() + ") ignored and repaired").orElse(""),
                replay.tornTail().orElse(null));
    }

    /** One node's directory as listed once. */
    private final class Node implements NodeDecisions {
        private final String nodeId;
        private final Path nodeDir;
        private final Long last;
        private final List<Path> files;

        Node(String nodeId, Path nodeDir, Long last, List<Path> files) {
            this.nodeId = nodeId;
            this.nodeDir = nodeDir;
            this.last = last;
            this.files = files;
        }

        @Override
        public boolean hasLog() {
            return last != null;
        }

        @Override
        public Set<Long> incarnations() {
            return new TreeSet<>(LogLayout.incarnationsIn(files));
        }

        @Override
        public String missingLogProblem() {
            return "node '" + nodeId + "' has branches in doubt but no log in " + nodeDir + " (no '"
                    + LogLayout.INCARNATION_FILE + "' file): check log.directory; recovery will not presume "
                    + "abort without the log, resolve by hand if the log is truly lost";
        }

        @Override
        public Look look(long inc, boolean takeOver) {
            Path lockFile = nodeDir.resolve(LogLayout.incarnationLockFileName(inc));
            boolean hasLock = files.contains(lockFile);
            boolean hasManifest = files.contains(nodeDir.resolve(LogLayout.manifestFileName(inc)));
            if (LogLayout.segmentsIn(files, inc).isEmpty() && !hasManifest) {
                if (hasLock || (last != null && inc <= last)) {
                    // With a lock file: a start in progress (the lock file is created before the first segment,
                    // and no XID exists before that segment), or a start that died there. Without one: retired,
                    // and only incarnations with nothing open are retired. Either way: presume abort.
                    return new Look(Owner.DEAD, Map.of(), null, "", null, null);
                }
                return new Look(Owner.NO_LOG, Map.of(), null, "", "no log of node '" + nodeId + "' incarnation "
                        + inc + " in " + nodeDir, null);
            }
            Owner owner = null;
            try {
                if (takeOver) {
                    Taken t = takeOver(nodeId, inc);
                    if (t != null) {
                        return new Look(Owner.DEAD, t.pending(), t, t.repaired(), null, null);
                    }
                    owner = Owner.ALIVE;
                } else {
                    LogStorage.LockHandle probe = hasLock ? storage.tryLock(lockFile) : null;
                    owner = hasLock && probe == null ? Owner.ALIVE : Owner.DEAD;
                    if (probe != null) {
                        probe.close();
                    }
                }
                ReplayResult replay = LogReplays.readOnly(storage, nodeDir, inc);
                return new Look(owner, replay.pending(), null, "", null, null, replay.tornTail().orElse(null));
            } catch (IOException e) {
                // Without an owner yet, the take-over found its lock free, then the log unreadable.
                return new Look(owner == null ? Owner.DEAD : owner, Map.of(), null, "", null, e);
            }
        }
    }

    /** A taken-over {@link DecisionLog}: appends through its storage, retires it when nothing is open. */
    private record FileLog(DecisionLog log) implements TakenOverLog {

        @Override
        public void writeCommit(CommitRecord record) throws IOException {
            log.writeCommit(record);
        }

        @Override
        public void writeHeuristic(HeuristicRecord record) throws IOException {
            log.writeHeuristic(record);
        }

        @Override
        public void writeEnd(EndRecord record) throws IOException {
            log.writeEnd(record);
        }

        @Override
        public void writeForget(ForgetRecord record) throws IOException {
            log.writeForget(record);
        }

        @Override
        public void retire() throws IOException {
            log.retire();
        }

        @Override
        public void close() throws IOException {
            log.close();
        }
    }
}
