package dev.lockstep.tm.recovery;

import dev.lockstep.tm.internal.DaemonThreads;
import dev.lockstep.tm.internal.log.DecisionLog;
import dev.lockstep.tm.internal.log.IncarnationCounter;
import dev.lockstep.tm.internal.log.LogSettings;
import dev.lockstep.tm.internal.log.LogStorage;
import dev.lockstep.tm.internal.log.LogReplays;
import dev.lockstep.tm.internal.log.LogTakeover;
import dev.lockstep.tm.internal.timeout.RetryBackoff;
import dev.lockstep.tm.internal.xa.LockstepXid;
import dev.lockstep.tm.internal.xa.XaCalls;
import dev.lockstep.tm.internal.xa.XaCodes;
import dev.lockstep.tm.internal.xa.XaCodes.PhaseTwoOutcome;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.CorruptLogException;
import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.ForgetRecord;
import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.log.HeuristicOutcome;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.log.ReplayResult;
import dev.lockstep.tm.recovery.InDoubtTransaction.BranchState;
import dev.lockstep.tm.recovery.InDoubtTransaction.Decision;
import dev.lockstep.tm.recovery.InDoubtTransaction.Owner;
import dev.lockstep.tm.recovery.InDoubtTransaction.State;
import dev.lockstep.tm.recovery.RecoveryAction.Kind;
import dev.lockstep.tm.spi.RecoverableResource;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/** The algorithm of {@link Recovery}; the numbered steps are in its class comment and in docs/recovery.md. */
final class RecoveryEngine {

    private static final System.Logger LOG = System.getLogger("dev.lockstep.tm.recovery");
    private static final HexFormat HEX = HexFormat.of();

    private final Path logDirectory;
    private final Set<String> nodeIds;
    private final List<RecoverableResource> resources;
    private final Duration safety;
    private final Duration retryInitial;
    private final Duration retryMax;
    private final Clock clock;
    private final RecoveryListener listener;
    private final boolean readOnly;
    /** Every file access of recovery goes through here (a simulated disk in tests). */
    private final LogStorage storage;
    private final List<LogStorage.LockHandle> recoveryLocks = new ArrayList<>();
    /** Logs of dead incarnations taken over, kept (locked) across scans until retired or closed. */
    private final Map<IncKey, Owned> owned = new LinkedHashMap<>();
    private final Map<String, BackoffState> backoff = new HashMap<>();
    private boolean closed;

    RecoveryEngine(Recovery.Builder b) {
        this.logDirectory = b.logDirectory;
        this.nodeIds = Set.copyOf(b.nodeIds);
        this.resources = b.resourceList();
        this.safety = b.orphanSafetyInterval;
        this.retryInitial = b.retryInitialDelay;
        this.retryMax = b.retryMaxDelay;
        this.clock = b.clock;
        this.listener = b.listener;
        this.readOnly = b.readOnly;
        this.storage = b.logStorage;
        if (!readOnly) {
            lockNodes(b.nodeIds);
        }
    }

    private void lockNodes(Set<String> nodes) {
        try {
            for (String node : nodes) {
                Path nodeDir = LogLayout.nodeDirectory(logDirectory, node);
                if (storage.createDirectories(nodeDir)) {
                    storage.forceDirectory(logDirectory);
                }
                Path lockFile = nodeDir.resolve(Recovery.RECOVERY_LOCK);
                LogStorage.LockHandle lock = storage.tryLock(lockFile);
                if (lock == null) {
                    throw new RecoveryLockedException(node, lockFile);
                }
                recoveryLocks.add(lock);
            }
        } catch (IOException | RuntimeException e) {
            releaseRecoveryLocks();
            if (e instanceof IOException io) {
                throw new IllegalStateException("LKS-202 cannot lock the logs for recovery in " + logDirectory + ": "
                        + io.getMessage() + "; the directory must be writable by this process", io);
            }
            throw (RuntimeException) e;
        }
    }

    ScanReport scan() {
        checkUsable(true);
        return new Pass(true).run();
    }

    ScanReport inspect() {
        checkUsable(false);
        return new Pass(false).run();
    }

    private void checkUsable(boolean writes) {
        if (closed) {
            throw new IllegalStateException("this recovery is closed");
        }
        if (writes && readOnly) {
            throw new IllegalStateException("this recovery was built read-only: it can only inspect");
        }
    }

    List<RecoveryAction> resolve(String gtridHex, Verdict verdict) {
        checkUsable(true);
        byte[] gtrid;
        try {
            gtrid = HEX.parseHex(gtridHex.trim().toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ResolveRefusedException("'" + gtridHex + "' is not a gtrid: give the hexadecimal global id as "
                    + "'list' prints it");
        }
        LockstepXid.Gtrid parsed = LockstepXid.Gtrid.parse(gtrid);
        if (parsed == null) {
            throw new ResolveRefusedException("gtrid " + gtridHex + " is not one of Lockstep's: recovery never "
                    + "touches other transaction managers' branches; resolve it with that manager or the resource's "
                    + "own tools");
        }
        if (!nodeIds.contains(parsed.nodeId())) {
            throw new ResolveRefusedException("gtrid " + gtridHex + " belongs to node '" + parsed.nodeId() + "', "
                    + "which this recovery is not responsible for (nodes " + new TreeSet<>(nodeIds) + "): add it to "
                    + "the configured nodes, or resolve it where that node is recovered");
        }
        return new Pass(true).resolve(Gtrid.of(gtrid), parsed, verdict);
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Map.Entry<IncKey, Owned> e : owned.entrySet()) {
            try {
                e.getValue().log.close();
            } catch (IOException | RuntimeException ex) {
                LOG.log(Level.WARNING, "LKS-203 closing the taken-over log of " + e.getKey() + " failed", ex);
            }
        }
        owned.clear();
        releaseRecoveryLocks();
    }

    private void releaseRecoveryLocks() {
        for (LogStorage.LockHandle lock : recoveryLocks) {
            try {
                lock.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "LKS-204 releasing " + lock.file() + " failed", e);
            }
        }
        recoveryLocks.clear();
    }

    /** One incarnation of one node. */
    private record IncKey(String nodeId, long incarnation) {
        @Override
        public String toString() {
            return "node " + nodeId + " incarnation " + incarnation;
        }
    }

    /** A dead incarnation's log held by this recovery, and its open decisions as they stand after our writes. */
    private static final class Owned {
        final DecisionLog log;
        final Map<Gtrid, PendingDecision> pending;

        Owned(DecisionLog log, ReplayResult replay) {
            this.log = log;
            this.pending = new LinkedHashMap<>(replay.pending());
        }
    }

    /** Capped, jittered exponential backoff of one unreachable resource. */
    private static final class BackoffState {
        int failures;
        Instant nextAttempt = Instant.MIN;
        String lastError;
    }

    /** What one resource's {@code recover()} answered in this pass. */
    private static final class ResourceScan {
        final RecoverableResource resource;
        RecoverableResource.RecoveryConnection connection;
        boolean reachable;
        boolean skipped;
        int foreign;
        String error;
        /** Written by the asking thread, read after its join. */
        List<Xid> answer;
        Throwable failure;
        final List<Xid> ours = new ArrayList<>();

        ResourceScan(RecoverableResource resource) {
            this.resource = resource;
        }

        boolean lists(byte[] gtrid, byte[] bqual) {
            for (Xid x : ours) {
                if (Arrays.equals(x.getGlobalTransactionId(), gtrid) && Arrays.equals(x.getBranchQualifier(), bqual)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** What the logs say about one incarnation in this pass. */
    private static final class IncView {
        final IncKey key;
        Owner owner;
        Map<Gtrid, PendingDecision> pending = Map.of();
        Owned owned;
        String problem;

        IncView(IncKey key) {
            this.key = key;
        }
    }

    /** One branch listed by a resource. */
    private static final class ListedBranch implements XaCalls.Failures {
        final ResourceScan scan;
        final Xid xid;
        boolean finished;
        String waitingFor;
        Throwable lastError;

        ListedBranch(ResourceScan scan, Xid xid) {
            this.scan = scan;
            this.xid = xid;
        }

        String bqualHex() {
            return HEX.formatHex(xid.getBranchQualifier());
        }

        @Override
        public void failed(Throwable t) {
            lastError = t;
        }

        /** The XA code of the last failed call as " (NAME(code))", or "" if it was not an XAException. */
        String code() {
            return lastError instanceof XAException e ? " (" + XaCodes.name(e.errorCode) + ")" : "";
        }
    }

    /** One transaction with branches listed in this pass. */
    private static final class ListedTx {
        final Gtrid gtrid;
        final LockstepXid.Gtrid parsed;
        final List<ListedBranch> branches = new ArrayList<>();

        ListedTx(Gtrid gtrid, LockstepXid.Gtrid parsed) {
            this.gtrid = gtrid;
            this.parsed = parsed;
        }

        IncKey key() {
            return new IncKey(parsed.nodeId(), parsed.incarnation());
        }
    }

    /** One scan, inspection or resolve: the state of a single look at the resources and the logs. */
    private final class Pass {
        final boolean act;
        final Instant started = clock.instant();
        final long nowMillis = started.toEpochMilli();
        final List<RecoveryAction> actions = new ArrayList<>();
        final List<String> logProblems = new ArrayList<>();
        final Map<String, ResourceScan> scans = new LinkedHashMap<>();
        final Map<Gtrid, ListedTx> listed = new LinkedHashMap<>();
        final Map<IncKey, IncView> incs = new LinkedHashMap<>();

        Pass(boolean act) {
            this.act = act;
        }

        ScanReport run() {
            try {
                askResources(false);
                readLogs();
                decide();
                if (act) {
                    endFinished();
                    retireEmpty();
                }
                return report();
            } finally {
                closeConnections();
            }
        }

        // Step 1 ---------------------------------------------------------------------------------------------------

        /** Connects to and asks every resource at once (a scan costs the slowest answer, not the sum). */
        void askResources(boolean ignoreBackoff) {
            List<ResourceScan> asked = new ArrayList<>();
            for (RecoverableResource r : resources) {
                ResourceScan s = new ResourceScan(r);
                scans.put(r.name(), s);
                BackoffState b = backoff.computeIfAbsent(r.name(), n -> new BackoffState());
                if (!ignoreBackoff && b.failures > 0 && started.isBefore(b.nextAttempt)) {
                    s.skipped = true;
                    s.error = b.lastError;
                } else {
                    asked.add(s);
                }
            }
            askInParallel(asked);
            for (ResourceScan s : asked) {
                BackoffState b = backoff.get(s.resource.name());
                if (s.failure != null) {
                    s.error = describe(s.failure);
                    b.failures++;
                    b.lastError = s.error;
                    b.nextAttempt = clock.instant().plusNanos(RetryBackoff.delayNanos(retryInitial.toNanos(),
                            retryMax.toNanos(), b.failures));
                    closeQuietly(s);
                    action(Kind.RECOVER_SCAN, false, null, null, null, s.resource.name(), "unreachable: " + s.error
                            + "; next try after " + b.nextAttempt);
                    continue;
                }
                for (Xid x : s.answer) {
                    LockstepXid.Gtrid g = LockstepXid.parse(x);
                    if (g == null || !nodeIds.contains(g.nodeId())) {
                        s.foreign++; // invariant 2: never touched
                        continue;
                    }
                    s.ours.add(x);
                    Gtrid key = Gtrid.of(x.getGlobalTransactionId());
                    listed.computeIfAbsent(key, k -> new ListedTx(k, g)).branches.add(new ListedBranch(s, x));
                }
                s.reachable = true;
                b.failures = 0;
                b.lastError = null;
                action(Kind.RECOVER_SCAN, true, null, null, null, s.resource.name(), s.ours.size() + " branch(es) "
                        + "of ours in doubt, " + s.foreign + " of others left alone");
            }
        }

        void askInParallel(List<ResourceScan> asked) {
            List<Thread> threads = new ArrayList<>();
            for (ResourceScan s : asked) {
                Runnable ask = () -> {
                    try {
                        s.connection = s.resource.connect();
                        Xid[] xids = s.connection.xaResource().recover(XAResource.TMSTARTRSCAN
                                | XAResource.TMENDRSCAN);
                        s.answer = xids == null ? List.of() : List.of(xids);
                    } catch (Exception | LinkageError e) {
                        s.failure = e;
                    }
                };
                if (asked.size() == 1) {
                    ask.run();
                } else {
                    Thread t = DaemonThreads.named("lockstep-recover-" + s.resource.name()).newThread(ask);
                    t.start();
                    threads.add(t);
                }
            }
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while asking the resources", e);
                }
            }
        }

        // Step 2 ---------------------------------------------------------------------------------------------------

        void readLogs() {
            for (String node : nodeIds) {
                readNode(node);
            }
        }

        void readNode(String node) {
            Path nodeDir = LogLayout.nodeDirectory(logDirectory, node);
            Long last;
            List<Path> files;
            try {
                last = IncarnationCounter.read(storage, nodeDir);
                files = storage.list(nodeDir);
            } catch (IOException e) {
                problem(node, "cannot read the log directory " + nodeDir + ": " + describe(e));
                return;
            }
            TreeSet<Long> incarnations = new TreeSet<>(LogLayout.incarnationsIn(files));
            for (IncKey k : owned.keySet()) {
                if (k.nodeId().equals(node)) {
                    incarnations.add(k.incarnation());
                }
            }
            boolean anyListed = false;
            for (ListedTx tx : listed.values()) {
                if (tx.parsed.nodeId().equals(node)) {
                    incarnations.add(tx.parsed.incarnation());
                    anyListed = true;
                }
            }
            if (last == null && anyListed) {
                problem(node, "node '" + node + "' has branches in doubt but no log in " + nodeDir + " (no '"
                        + LogLayout.INCARNATION_FILE + "' file): check log.directory; recovery will not presume "
                        + "abort without the log, resolve by hand if the log is truly lost");
            }
            for (long inc : incarnations) {
                IncKey key = new IncKey(node, inc);
                IncView v = new IncView(key);
                incs.put(key, v);
                Owned o = owned.get(key);
                if (o != null) {
                    v.owner = Owner.DEAD;
                    v.owned = o;
                    v.pending = o.pending;
                    continue;
                }
                Path lockFile = nodeDir.resolve(LogLayout.incarnationLockFileName(inc));
                boolean hasLock = files.contains(lockFile);
                boolean hasManifest = files.contains(nodeDir.resolve(LogLayout.manifestFileName(inc)));
                if (LogLayout.segmentsIn(files, inc).isEmpty() && !hasManifest) {
                    if (hasLock || (last != null && inc <= last)) {
                        // With a lock file: a start in progress (the lock file is created before the first segment,
                        // and no XID exists before that segment), or a start that died there. Without one: retired,
                        // and only incarnations with nothing open are retired. Either way: presume abort.
                        v.owner = Owner.DEAD;
                    } else {
                        v.owner = Owner.NO_LOG;
                        v.problem = "no log of node '" + node + "' incarnation " + inc + " in " + nodeDir;
                    }
                    continue;
                }
                readIncarnation(v, nodeDir, lockFile, hasLock);
            }
        }

        void readIncarnation(IncView v, Path nodeDir, Path lockFile, boolean hasLock) {
            IncKey key = v.key;
            try {
                if (act) {
                    LogTakeover.TakenOver t = LogTakeover.takeOver(LogSettings.of(logDirectory, key.nodeId()),
                            storage, key.incarnation());
                    if (t != null) {
                        Owned o = new Owned(t.log(), t.replay());
                        owned.put(key, o);
                        v.owner = Owner.DEAD;
                        v.owned = o;
                        v.pending = o.pending;
                        action(Kind.TAKE_OVER, true, key.nodeId(), null, null, null, "incarnation "
                                + key.incarnation() + " is dead (its lock was free): its log is taken over, "
                                + o.pending.size() + " open decision(s)" + t.replay().tornTail()
                                .map(tt -> "; torn tail at " + tt.file() + " offset " + tt.offset() + " ("
                                        + tt.problem() + ") ignored and repaired").orElse(""));
                        return;
                    }
                    v.owner = Owner.ALIVE;
                } else {
                    LogStorage.LockHandle probe = hasLock ? storage.tryLock(lockFile) : null;
                    v.owner = hasLock && probe == null ? Owner.ALIVE : Owner.DEAD;
                    if (probe != null) {
                        probe.close();
                    }
                }
                v.pending = LogReplays.readOnly(storage, nodeDir, key.incarnation()).pending();
            } catch (CorruptLogException e) {
                if (v.owner == null) {
                    v.owner = Owner.DEAD; // the take-over found its lock free, then the log unreadable
                }
                v.problem = "corrupt log: " + e.getMessage();
                problem(key.nodeId(), "LKS-205 the log of node '" + key.nodeId() + "' incarnation "
                        + key.incarnation() + " is corrupt: " + e.getMessage() + " (file " + e.file() + ", offset "
                        + e.offset() + "); its transactions are left in doubt for an operator: no decision is "
                        + "guessed");
            } catch (IOException e) {
                if (v.owner == null) {
                    v.owner = Owner.DEAD;
                }
                v.problem = "cannot read its log: " + describe(e);
                problem(key.nodeId(), "cannot read the log of node '" + key.nodeId() + "' incarnation "
                        + key.incarnation() + ": " + describe(e));
            }
        }

        void problem(String node, String message) {
            logProblems.add(message);
            action(Kind.ERROR, false, node, null, null, null, message);
        }

        // Step 3 and 4 ---------------------------------------------------------------------------------------------

        void decide() {
            for (ListedTx tx : listed.values()) {
                IncView v = incs.get(tx.key());
                for (ListedBranch b : tx.branches) {
                    decideBranch(tx, v, b);
                }
            }
        }

        void decideBranch(ListedTx tx, IncView v, ListedBranch b) {
            if (v == null || v.problem != null) {
                b.waitingFor = "its log cannot be used (" + (v == null ? "not read" : v.problem) + "): nothing is "
                        + "guessed; check log.directory, read what the log holds with 'log dump', and finish the "
                        + "branch with the resource's own tools (docs/recovery.md, 'Left out')";
                return;
            }
            PendingDecision d = v.pending.get(tx.gtrid);
            if (d != null && hasHeuristic(d, b.xid.getBranchQualifier(), b.scan.resource.name())) {
                b.waitingFor = "a heuristic outcome is recorded for this branch: an operator resolves it";
                return;
            }
            if (d != null && d.commit() != null) {
                Instant until = Instant.ofEpochMilli(d.commit().decidedAtMillis()).plus(safety);
                if (v.owner == Owner.ALIVE && started.isBefore(until)) {
                    b.waitingFor = "COMMIT decided and its owner is alive: its own phase two commits it; recovery "
                            + "commits it after " + until;
                    return;
                }
                if (!act) {
                    b.waitingFor = "COMMIT decided: the next scan commits it";
                    return;
                }
                phaseTwo(tx, v, b, true);
                return;
            }
            Instant until = Instant.ofEpochMilli(tx.parsed.deadlineMillis()).plus(safety);
            if (v.owner == Owner.ALIVE && started.isBefore(until)) {
                b.waitingFor = "no decision yet and its owner is alive: presumed abort after its deadline plus the "
                        + "orphan safety interval, " + until;
                return;
            }
            if (!act) {
                b.waitingFor = "no COMMIT decision and " + (v.owner == Owner.ALIVE ? "its deadline passed"
                        : "its owner is dead") + ": the next scan rolls it back (presumed abort)";
                return;
            }
            phaseTwo(tx, v, b, false);
        }

        /**
         * One commit or rollback of a branch that {@code recover()} just listed. XAER_NOTA is not done for either
         * verb: MariaDB answers it while another session (the owner's) still holds the branch; a later
         * {@code recover()} that no longer lists it is the proof (invariant 6).
         */
        PhaseTwoOutcome call(ListedBranch b, boolean committing) {
            b.lastError = null;
            PhaseTwoOutcome outcome = XaCalls.phaseTwo(b.scan.connection.xaResource(), b.xid, committing, b);
            return b.lastError instanceof XAException e && e.errorCode == XAException.XAER_NOTA
                    ? PhaseTwoOutcome.NOT_FOUND : outcome;
        }

        void phaseTwo(ListedTx tx, IncView v, ListedBranch b, boolean committing) {
            String name = b.scan.resource.name();
            String why = committing ? "COMMIT decision in the log" : (v.owner == Owner.ALIVE
                    ? "no decision, and its deadline plus the orphan safety interval passed"
                    : "no decision, and its owner is dead: presumed abort");
            Kind kind = committing ? Kind.COMMIT : Kind.ROLLBACK;
            PhaseTwoOutcome outcome = call(b, committing);
            switch (outcome) {
                case DONE -> {
                    b.finished = true;
                    action(kind, true, tx, b, why + b.code());
                }
                case NOT_FOUND -> {
                    b.waitingFor = name + " answered XAER_NOTA although its recover() listed the branch: another "
                            + "session holds or finished it; the next scan checks recover() again (invariant 6)";
                    action(kind, false, tx, b, b.waitingFor);
                }
                case RETRY -> {
                    b.waitingFor = b.lastError instanceof XAException
                            ? name + " answered" + b.code() + ": tried again at the next scan"
                            : name + " failed: " + describe(b.lastError) + "; tried again at the next scan";
                    action(kind, false, tx, b, b.waitingFor);
                }
                default -> heuristic(tx, v, b, XaCodes.heuristicOf(outcome, committing), why + b.code());
            }
        }

        void heuristic(ListedTx tx, IncView v, ListedBranch b, HeuristicOutcome kind, String why) {
            String name = b.scan.resource.name();
            b.waitingFor = "heuristic " + kind + " on " + name + ": an operator resolves it";
            if (v.owned == null) {
                action(Kind.HEURISTIC, false, tx, b, "the resource decided " + kind + " on its own (" + why + "); "
                        + "its owner is alive, so it is not recorded in its log: the resource keeps reporting it");
                return;
            }
            HeuristicRecord record = new HeuristicRecord(tx.gtrid.bytes(), b.xid.getBranchQualifier(), name, kind,
                    nowMillis);
            try {
                v.owned.log.writeHeuristic(record);
            } catch (IOException e) {
                action(Kind.HEURISTIC, false, tx, b, "heuristic " + kind + " could not be recorded: " + describe(e));
                return;
            }
            PendingDecision d = v.owned.pending.get(tx.gtrid);
            List<HeuristicRecord> hs = new ArrayList<>(d == null ? List.of() : d.heuristics());
            hs.add(record);
            v.owned.pending.put(tx.gtrid, new PendingDecision(d == null ? null : d.commit(), hs,
                    d != null && d.ended()));
            forgetQuietly(b.scan.connection.xaResource(), b.xid); // recorded: the resource need not keep it
            action(Kind.HEURISTIC, true, tx, b, "the resource decided " + kind + " on its own (" + why + "); "
                    + "recorded in the log until an operator resolves it");
        }

        // Step 5 and 6 ---------------------------------------------------------------------------------------------

        void endFinished() {
            for (Map.Entry<IncKey, Owned> e : owned.entrySet()) {
                Owned o = e.getValue();
                for (Map.Entry<Gtrid, PendingDecision> d : new ArrayList<>(o.pending.entrySet())) {
                    PendingDecision p = d.getValue();
                    if (p.commit() == null || p.ended() || unfinishedBranch(d.getKey(), p.commit()) != null) {
                        continue;
                    }
                    try {
                        o.log.writeEnd(new EndRecord(d.getKey().bytes()));
                    } catch (IOException ex) {
                        action(Kind.END, false, e.getKey().nodeId(), d.getKey().toString(), null, null,
                                "END could not be written: " + describe(ex));
                        continue;
                    }
                    if (p.heuristics().isEmpty()) {
                        o.pending.remove(d.getKey());
                    } else {
                        o.pending.put(d.getKey(), new PendingDecision(p.commit(), p.heuristics(), true));
                    }
                    action(Kind.END, true, e.getKey().nodeId(), d.getKey().toString(), null, null,
                            "every branch of the COMMIT decision is committed");
                }
            }
        }

        /** Why a branch of {@code commit} is not known to be finished, or null if all are. */
        String unfinishedBranch(Gtrid gtrid, CommitRecord commit) {
            byte[] g = gtrid.bytes();
            for (CommitRecord.Branch br : commit.branches()) {
                ResourceScan s = scans.get(br.resourceName());
                if (s == null) {
                    return "resource '" + br.resourceName() + "' of a branch is not configured";
                }
                if (!s.reachable) {
                    return "resource '" + br.resourceName() + "' is unreachable";
                }
                if (s.lists(g, br.bqual())) {
                    ListedTx tx = listed.get(gtrid);
                    ListedBranch lb = tx == null ? null : find(tx, s, br.bqual());
                    if (lb == null || !lb.finished) {
                        return "a branch in " + br.resourceName() + " is still in doubt";
                    }
                }
            }
            return null;
        }

        ListedBranch find(ListedTx tx, ResourceScan s, byte[] bqual) {
            for (ListedBranch b : tx.branches) {
                if (b.scan == s && Arrays.equals(b.xid.getBranchQualifier(), bqual)) {
                    return b;
                }
            }
            return null;
        }

        void retireEmpty() {
            for (var it = owned.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<IncKey, Owned> e = it.next();
                if (!e.getValue().pending.isEmpty()) {
                    continue;
                }
                it.remove();
                IncView v = incs.get(e.getKey());
                if (v != null) {
                    v.owned = null;
                }
                try {
                    e.getValue().log.retire();
                    action(Kind.RETIRE, true, e.getKey().nodeId(), null, null, null, "incarnation "
                            + e.getKey().incarnation() + " has nothing open: its log is deleted");
                } catch (IOException | RuntimeException ex) {
                    action(Kind.RETIRE, false, e.getKey().nodeId(), null, null, null, "incarnation "
                            + e.getKey().incarnation() + " could not be retired: " + describe(ex));
                }
            }
        }

        // The report -----------------------------------------------------------------------------------------------

        ScanReport report() {
            List<ResourceStatus> statuses = new ArrayList<>();
            for (ResourceScan s : scans.values()) {
                BackoffState b = backoff.get(s.resource.name());
                statuses.add(new ResourceStatus(s.resource.name(), s.reachable, s.skipped, s.ours.size(), s.foreign,
                        s.error, s.reachable ? null : b.nextAttempt));
            }
            Map<Gtrid, InDoubtTransaction> inDoubt = new LinkedHashMap<>();
            for (ListedTx tx : listed.values()) {
                if (tx.branches.stream().anyMatch(b -> !b.finished)) {
                    inDoubt.put(tx.gtrid, describeTx(tx.gtrid, tx.parsed, incs.get(tx.key())));
                }
            }
            for (IncView v : incs.values()) {
                for (Map.Entry<Gtrid, PendingDecision> e : v.pending.entrySet()) {
                    PendingDecision d = e.getValue();
                    boolean open = v.owner == Owner.DEAD || !d.heuristics().isEmpty();
                    if (open && !inDoubt.containsKey(e.getKey())) {
                        LockstepXid.Gtrid parsed = LockstepXid.Gtrid.parse(e.getKey().bytes());
                        if (parsed != null) {
                            inDoubt.put(e.getKey(), describeTx(e.getKey(), parsed, v));
                        }
                    }
                }
            }
            return new ScanReport(started, Duration.between(started, clock.instant()), statuses, actions,
                    new ArrayList<>(inDoubt.values()), logProblems);
        }

        InDoubtTransaction describeTx(Gtrid gtrid, LockstepXid.Gtrid parsed, IncView v) {
            PendingDecision d = v == null ? null : v.pending.get(gtrid);
            CommitRecord commit = d == null ? null : d.commit();
            List<BranchState> branches = new ArrayList<>();
            Set<String> seen = new LinkedHashSet<>();
            List<String> waiting = new ArrayList<>();
            ListedTx tx = listed.get(gtrid);
            if (tx != null) {
                for (ListedBranch b : tx.branches) {
                    seen.add(b.scan.resource.name() + "/" + b.bqualHex());
                    branches.add(new BranchState(b.scan.resource.name(), b.bqualHex(), b.finished ? State.FINISHED
                            : State.IN_DOUBT));
                    if (!b.finished && b.waitingFor != null && !waiting.contains(b.waitingFor)) {
                        waiting.add(b.waitingFor);
                    }
                }
            }
            if (commit != null) {
                for (CommitRecord.Branch br : commit.branches()) {
                    String bq = HEX.formatHex(br.bqual());
                    if (seen.add(br.resourceName() + "/" + bq)) {
                        ResourceScan s = scans.get(br.resourceName());
                        branches.add(new BranchState(br.resourceName(), bq, s != null && s.reachable
                                ? State.FINISHED : State.UNKNOWN));
                    }
                }
                String why = unfinishedBranch(gtrid, commit);
                if (why != null && !waiting.contains(why) && (tx == null || waiting.isEmpty())) {
                    waiting.add(why);
                }
            }
            List<InDoubtTransaction.Heuristic> hs = new ArrayList<>();
            if (d != null) {
                for (HeuristicRecord h : d.heuristics()) {
                    hs.add(new InDoubtTransaction.Heuristic(h.resourceName(), HEX.formatHex(h.bqual()), h.outcome(),
                            Instant.ofEpochMilli(h.atMillis())));
                }
                if (!hs.isEmpty()) {
                    waiting.add("heuristic outcome(s) recorded: an operator resolves them (resolve)");
                }
            }
            if (v != null && v.problem != null && waiting.isEmpty()) {
                waiting.add(v.problem);
            }
            return new InDoubtTransaction(gtrid.toString(), parsed.nodeId(), parsed.incarnation(), parsed.sequence(),
                    Instant.ofEpochMilli(parsed.beginMillis()), Instant.ofEpochMilli(parsed.deadlineMillis()),
                    v == null ? Owner.NO_LOG : v.owner == null ? Owner.NO_LOG : v.owner,
                    commit != null ? Decision.COMMIT : Decision.NONE,
                    commit != null ? Instant.ofEpochMilli(commit.decidedAtMillis()) : null, branches, hs,
                    String.join("; ", waiting));
        }

        // Resolve --------------------------------------------------------------------------------------------------

        List<RecoveryAction> resolve(Gtrid gtrid, LockstepXid.Gtrid parsed, Verdict verdict) {
            try {
                askResources(true);
                IncKey key = new IncKey(parsed.nodeId(), parsed.incarnation());
                Owned o = ownForResolve(key, gtrid);
                PendingDecision d = o.pending.get(gtrid);
                ListedTx tx = listed.get(gtrid);
                List<ListedBranch> branches = tx == null ? List.of() : tx.branches;
                if (verdict == Verdict.ROLLBACK && d != null && d.commit() != null) {
                    throw new ResolveRefusedException("transaction " + gtrid + " (" + parsed + ") has a durable "
                            + "COMMIT decision (decided at " + Instant.ofEpochMilli(d.commit().decidedAtMillis())
                            + "): its branches must commit, and rolling any back would break atomicity; use "
                            + "resolve --commit, or let a scan finish it");
                }
                if (branches.isEmpty() && d == null) {
                    throw new ResolveRefusedException("transaction " + gtrid + " (" + parsed + ") has no branch in "
                            + "doubt in any reachable resource and nothing open in its log: there is nothing to "
                            + "resolve");
                }
                IncView v = new IncView(key);
                v.owner = Owner.DEAD;
                v.owned = o;
                v.pending = o.pending;
                if (verdict == Verdict.COMMIT && (d == null || d.commit() == null) && !branches.isEmpty()) {
                    List<CommitRecord.Branch> list = new ArrayList<>();
                    for (ListedBranch b : branches) {
                        list.add(new CommitRecord.Branch(b.xid.getBranchQualifier(), b.scan.resource.name()));
                    }
                    CommitRecord commit = new CommitRecord(gtrid.bytes(), nowMillis, list);
                    writeOrRefuse(() -> o.log.writeCommit(commit), "the operator's COMMIT decision");
                    d = new PendingDecision(commit, d == null ? List.of() : d.heuristics(), false);
                    o.pending.put(gtrid, d);
                    action(Kind.DECIDE, true, parsed.nodeId(), gtrid.toString(), null, null, "operator: COMMIT "
                            + "decision recorded for " + list.size() + " branch(es) in doubt");
                }
                boolean allDone = scans.values().stream().allMatch(s -> s.reachable);
                for (ListedBranch b : branches) {
                    allDone &= resolveBranch(tx, b, verdict);
                }
                if (allDone && d != null && d.commit() != null) {
                    allDone = unfinishedBranch(gtrid, d.commit()) == null;
                }
                if (allDone) {
                    writeOrRefuse(() -> o.log.writeForget(new ForgetRecord(gtrid.bytes())), "the FORGET record");
                    o.pending.remove(gtrid);
                    action(Kind.FORGET, true, parsed.nodeId(), gtrid.toString(), null, null, "operator: "
                            + verdict + " done on every branch; the decision and its heuristics are closed");
                } else {
                    action(Kind.FORGET, false, parsed.nodeId(), gtrid.toString(), null, null, "operator: "
                            + verdict + " not yet done on every branch (see above); scans go on with it");
                }
                retireEmpty();
                return List.copyOf(actions);
            } finally {
                closeConnections();
            }
        }

        /** Calls the verdict on one branch; forgets a heuristically completed one. True if it is finished. */
        boolean resolveBranch(ListedTx tx, ListedBranch b, Verdict verdict) {
            boolean committing = verdict == Verdict.COMMIT;
            Kind kind = committing ? Kind.COMMIT : Kind.ROLLBACK;
            PhaseTwoOutcome outcome = call(b, committing);
            switch (outcome) {
                case DONE -> {
                    if (b.lastError == null) {
                        action(kind, true, tx, b, "operator's resolve");
                    } else {
                        action(Kind.FORGET, true, tx, b, "operator's resolve: the resource had completed it on its "
                                + "own" + b.code() + "; forgotten");
                    }
                    return true;
                }
                case RETRY, NOT_FOUND -> {
                    action(kind, false, tx, b, "operator's resolve: " + (b.lastError instanceof XAException e
                            ? XaCodes.name(e.errorCode) + ", tried again by later scans" : describe(b.lastError)));
                    return false;
                }
                default -> {
                    try {
                        b.scan.connection.xaResource().forget(b.xid);
                        action(Kind.FORGET, true, tx, b, "operator's resolve: the resource had completed it on its "
                                + "own" + b.code() + "; forgotten");
                        return true;
                    } catch (XAException | RuntimeException f) {
                        action(Kind.FORGET, false, tx, b, "forget failed: " + describe(f));
                        return false;
                    }
                }
            }
        }

        Owned ownForResolve(IncKey key, Gtrid gtrid) {
            Owned o = owned.get(key);
            if (o != null) {
                return o;
            }
            Path nodeDir = LogLayout.nodeDirectory(logDirectory, key.nodeId());
            Long last;
            try {
                last = IncarnationCounter.read(storage, nodeDir);
            } catch (IOException e) {
                throw new ResolveRefusedException("cannot read the log of node '" + key.nodeId() + "': "
                        + describe(e));
            }
            if (last == null || key.incarnation() > last) {
                throw new ResolveRefusedException("node '" + key.nodeId() + "' has no log of incarnation "
                        + key.incarnation() + " in " + nodeDir + ": check log.directory; the decision could not be "
                        + "recorded");
            }
            try {
                LogTakeover.TakenOver t = LogTakeover.takeOver(LogSettings.of(logDirectory, key.nodeId()), storage,
                        key.incarnation());
                if (t == null) {
                    throw new ResolveRefusedException("transaction " + gtrid + " belongs to incarnation "
                            + key.incarnation() + " of node '" + key.nodeId() + "', which is alive (its log lock is "
                            + "held): its transaction manager decides; resolve only transactions of stopped "
                            + "processes");
                }
                o = new Owned(t.log(), t.replay());
                owned.put(key, o);
                action(Kind.TAKE_OVER, true, key.nodeId(), null, null, null, "incarnation " + key.incarnation()
                        + " is dead: its log is taken over for the operator's decision");
                return o;
            } catch (CorruptLogException e) {
                throw new ResolveRefusedException("the log of node '" + key.nodeId() + "' incarnation "
                        + key.incarnation() + " is corrupt (" + e.getMessage() + "); a decision cannot be recorded "
                        + "in it");
            } catch (IOException e) {
                throw new ResolveRefusedException("cannot take over the log of node '" + key.nodeId() + "': "
                        + describe(e));
            }
        }

        // Helpers --------------------------------------------------------------------------------------------------

        void action(Kind kind, boolean ok, ListedTx tx, ListedBranch b, String detail) {
            action(kind, ok, tx.parsed.nodeId(), tx.gtrid.toString(), b.bqualHex(), b.scan.resource.name(), detail);
        }

        void action(Kind kind, boolean ok, String node, String gtrid, String bqual, String resource, String detail) {
            RecoveryAction a = new RecoveryAction(clock.instant(), kind, ok, node, gtrid, bqual, resource, detail);
            actions.add(a);
            if (kind != Kind.RECOVER_SCAN || !ok) {
                // With a listener (the recovery service) the listener reports actions; the log gets them at DEBUG.
                Level level = listener != RecoveryListener.NONE ? Level.DEBUG : ok ? Level.INFO : Level.WARNING;
                LOG.log(level, "LKS-210 {0} {1} node={2} gtrid={3} bqual={4} "
                        + "resource={5}: {6}", kind, ok ? "ok" : "not done", node, gtrid, bqual, resource, detail);
            }
            try {
                listener.onAction(a);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "LKS-211 a recovery listener failed", e);
            }
        }

        void closeConnections() {
            for (ResourceScan s : scans.values()) {
                closeQuietly(s);
            }
        }
    }

    /** Runs a write of the operator's resolve; a failure refuses the rest. */
    private interface LogWrite {
        void run() throws IOException;
    }

    private static void writeOrRefuse(LogWrite w, String what) {
        try {
            w.run();
        } catch (IOException e) {
            throw new ResolveRefusedException(what + " could not be written to the log: " + describe(e)
                    + "; nothing more was done");
        }
    }

    private static boolean hasHeuristic(PendingDecision d, byte[] bqual, String resource) {
        for (HeuristicRecord h : d.heuristics()) {
            if (Arrays.equals(h.bqual(), bqual) && h.resourceName().equals(resource)) {
                return true;
            }
        }
        return false;
    }

    private static void forgetQuietly(XAResource xa, Xid xid) {
        try {
            xa.forget(xid);
        } catch (XAException | RuntimeException ignored) {
            // the outcome is settled either way; the resource may keep a note it no longer needs
        }
    }

    private static void closeQuietly(ResourceScan s) {
        if (s.connection != null) {
            try {
                s.connection.close();
            } catch (Exception e) {
                LOG.log(Level.DEBUG, "closing the recovery connection to " + s.resource.name() + " failed", e);
            }
            s.connection = null;
        }
    }

    static String describe(Throwable t) {
        if (t instanceof XAException xa) {
            return XaCodes.name(xa.errorCode) + (xa.getMessage() == null ? "" : " " + xa.getMessage());
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
