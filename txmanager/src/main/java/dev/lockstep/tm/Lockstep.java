package dev.lockstep.tm;

import dev.lockstep.tm.events.TransactionEvent.LogForced;
import dev.lockstep.tm.snapshot.LockstepSnapshot;
import dev.lockstep.tm.events.TransactionListener;
import dev.lockstep.tm.internal.coordinator.Coordinator;
import dev.lockstep.tm.internal.coordinator.CoordinatorSettings;
import dev.lockstep.tm.internal.coordinator.LockstepSynchronizationRegistry;
import dev.lockstep.tm.internal.coordinator.LockstepTransaction;
import dev.lockstep.tm.internal.coordinator.LockstepTransactionManager;
import dev.lockstep.tm.internal.coordinator.LockstepUserTransaction;
import dev.lockstep.tm.internal.coordinator.ResourceRegistry;
import dev.lockstep.tm.internal.coordinator.TmMetrics;
import dev.lockstep.tm.internal.coordinator.OpenedDecisionStore;
import dev.lockstep.tm.internal.events.EventDispatcher;
import dev.lockstep.tm.internal.log.CrashPointLogStorage;
import dev.lockstep.tm.internal.pgstore.PgStore;
import dev.lockstep.tm.store.PostgresDecisionStore;
import dev.lockstep.tm.internal.log.DecisionLog;
import dev.lockstep.tm.internal.log.FileLogStorage;
import dev.lockstep.tm.internal.log.GroupCommitPolicy;
import dev.lockstep.tm.internal.log.OpenedFileLog;
import dev.lockstep.tm.internal.log.LogSettings;
import dev.lockstep.tm.internal.log.LogStats;
import dev.lockstep.tm.internal.log.LogStorage;
import dev.lockstep.tm.internal.log.OpenedLog;
import dev.lockstep.tm.internal.timeout.Housekeeper;
import dev.lockstep.tm.internal.xa.XidFactory;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.RecoveryListener;
import dev.lockstep.tm.recovery.ScanReport;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.settings.Setting;
import dev.lockstep.tm.settings.Settings;
import dev.lockstep.tm.spi.CrashPoint;
import dev.lockstep.tm.spi.RecoverableResource;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One Lockstep transaction manager: a node id, its decision log, and the JTA objects over them.
 *
 * <pre>{@code
 * try (Lockstep lockstep = Lockstep.builder()
 *         .nodeId("orders-1")                          // required, stable across restarts
 *         .logDirectory(Path.of("/var/lib/lockstep"))  // required
 *         .defaultTimeout(Duration.ofSeconds(60))      // optional
 *         .build()) {                                  // validates, opens and locks the log
 *     UserTransaction ut = lockstep.userTransaction();
 *     ...
 * }                                                    // drains, unlocks the log
 * }</pre>
 *
 * <p>{@link #build()} opens the log for a new incarnation of the node and replays the logs of earlier ones: the
 * COMMIT decisions without END found there are {@link #pendingDecisionsAtStart() reported} for recovery.
 */
public final class Lockstep implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.lockstep.tm.Lockstep");

    private final LockstepSettings settings;
    private final OpenedDecisionStore store;
    private final Coordinator coordinator;
    private final LockstepUserTransaction userTransaction;
    private final LockstepSynchronizationRegistry registry;
    private final Housekeeper reaper;
    private final Housekeeper housekeeper;
    private final List<PendingDecision> pendingAtStart;
    /** Null when no listener is registered: then nothing is published anywhere. */
    private final EventDispatcher events;
    private final InProcessRecovery recovery;
    private volatile boolean closed;

    private Lockstep(LockstepSettings b, OpenedDecisionStore store, List<TransactionListener> listeners) {
        this.settings = b;
        this.store = store;
        this.pendingAtStart = store.pendingOfEarlier();
        this.events = listeners.isEmpty() ? null
                : new EventDispatcher(listeners, EventDispatcher.DEFAULT_CAPACITY, "lockstep-events-" + b.nodeId());
        if (events != null && store instanceof OpenedFileLog file) {
            file.log().observeForces((records, bytes, nanos) -> events.publish(new LogForced(records, bytes, nanos)));
        }
        CoordinatorSettings cs = new CoordinatorSettings(b.defaultTimeout(), b.parallelPhases(),
                b.retryInitialDelay(), b.retryMaxDelay(), b.lostBranchWindow());
        this.coordinator = new Coordinator(cs, store.decisions(),
                new XidFactory(store.xidNodeName(), store.incarnation()), b.clock(), System::nanoTime,
                new ResourceRegistry(), b.phaseThreads(), b.crashHook(), events);
        // A store that can never record a decision of this incarnation again (its lease was taken over): refuse new
        // transactions at begin() rather than let them prepare branches only to roll them back.
        store.onLost(why -> coordinator.refuseNewTransactions(why + "; no transaction can begin"));
        this.userTransaction = new LockstepUserTransaction(coordinator.transactionManager());
        this.registry = new LockstepSynchronizationRegistry(coordinator.transactionManager());
        // Two threads, so a disk that stalls the lazy write of END records cannot stop timeouts: the reaper's
        // rollbacks write nothing to the log and must go on when the log cannot.
        this.reaper = new Housekeeper("lockstep-reaper-" + b.nodeId());
        reaper.every(b.timeoutCheckInterval(), "timeout reaper", coordinator::timeOutExpired);
        this.housekeeper = new Housekeeper("lockstep-log-flush-" + b.nodeId());
        housekeeper.every(Duration.ofSeconds(1), "lazy log write", () -> {
            try {
                store.flushLazily();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!pendingAtStart.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, TmMessage.UNFINISHED_DECISIONS_AT_START
                    + " node {0}: {1} decision(s) of earlier incarnations are unfinished (COMMIT without END, or "
                    + "heuristics); {2}", b.nodeId(), pendingAtStart.size(), b.inProcessRecovery()
                    ? "in-process recovery finishes them within " + b.recoveryInterval() + " of the start, once the "
                    + "resources are registered" : "the recovery service finishes them");
        }
        this.recovery = b.inProcessRecovery()
                ? new InProcessRecovery(b, coordinator.registry()::all, recoveryListener(listeners)) : null;
        if (recovery != null) {
            recovery.start();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The registered listeners that are also {@link RecoveryListener}s, as one; each one's failure is its own. */
    private static RecoveryListener recoveryListener(List<TransactionListener> listeners) {
        List<RecoveryListener> all = new ArrayList<>();
        for (TransactionListener l : listeners) {
            if (l instanceof RecoveryListener r) {
                all.add(r);
            }
        }
        if (all.isEmpty()) {
            return RecoveryListener.NONE;
        }
        return all.size() == 1 ? all.get(0) : new RecoveryListener() {
            @Override
            public void onAction(RecoveryAction action) {
                all.forEach(r -> tell(r, () -> r.onAction(action)));
            }

            @Override
            public void scanStarted(java.time.Instant at) {
                all.forEach(r -> tell(r, () -> r.scanStarted(at)));
            }

            @Override
            public void scanFinished(ScanReport report) {
                all.forEach(r -> tell(r, () -> r.scanFinished(report)));
            }
        };
    }

    private static void tell(RecoveryListener r, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, TmMessage.RECOVERY_LISTENER_FAILED + " recovery listener " + r
                    + " failed", e);
        }
    }

    public TransactionManager transactionManager() {
        return coordinator.transactionManager();
    }

    public UserTransaction userTransaction() {
        return userTransaction;
    }

    public TransactionSynchronizationRegistry transactionSynchronizationRegistry() {
        return registry;
    }

    public String nodeId() {
        return settings.nodeId();
    }

    /** The settings this instance was built with; later changes to its builder do not reach them. */
    public LockstepSettings settings() {
        return settings;
    }

    /** The incarnation number of this start of the node (increases at every build). */
    public long incarnation() {
        return store.incarnation();
    }

    /**
     * The decisions found unfinished in the logs of earlier incarnations when this instance was built: COMMIT records
     * without END (the input of recovery), and heuristic records no operator has cleared yet.
     */
    public List<PendingDecision> pendingDecisionsAtStart() {
        return pendingAtStart;
    }

    /**
     * Registers a resource by name, so that phase-two retries (and in-process recovery) can open fresh connections
     * to it. A second resource with a name already registered is refused.
     */
    public void registerResource(RecoverableResource resource) {
        coordinator.registry().register(Objects.requireNonNull(resource, "resource"));
    }

    public boolean unregisterResource(RecoverableResource resource) {
        return coordinator.registry().unregister(resource);
    }

    /**
     * Runs an in-process recovery scan now, on the calling thread (docs/recovery.md): over the resources registered
     * with this Lockstep, for this node's earlier incarnations (with the database store: every node whose lease
     * expired). Empty if in-process recovery is off, no resource is registered, or another recovery holds the node.
     */
    public Optional<ScanReport> recoverNow() {
        return recovery == null ? Optional.empty() : recovery.scanNow();
    }

    /** A snapshot of the counters. */
    public LockstepMetrics metrics() {
        TmMetrics m = coordinator.metrics();
        return new LockstepMetrics(m.begun.sum(), m.committed.sum(), m.committedOnePhase.sum(),
                m.committedReadOnly.sum(), m.rolledBack.sum(), m.timedOut.sum(), m.heuristic.sum(),
                m.unknownOutcome.sum(), m.phaseTwoRetries.sum(), coordinator.retrier().pendingBranches(),
                store.durableWrites(), store.recordsWritten(), store.bytesWritten());
    }

    /**
     * What this Lockstep is doing now: its transactions in flight with their branches, the branches being retried in
     * the background, the heuristics it reported, and whether its decision store can still record decisions. For
     * health checks and consoles; see {@link LockstepSnapshot} for how consistent it is.
     *
     * <p>It costs the commit path nothing: it reads what the coordinator keeps anyway (the set of live transactions,
     * which it walks without a lock, taking each transaction's monitor only to copy its state and branches) and what
     * the slow paths keep (retries, heuristics). Thread-safe; never blocks on an XA call or on the log.
     */
    public LockstepSnapshot snapshot() {
        String problem = store.problem();
        if (problem == null) {
            problem = coordinator.refusal();
        }
        return new LockstepSnapshot(settings.nodeId(), store.incarnation(), settings.clock().instant(),
                store.location(), problem, coordinator.inFlight(), coordinator.retrier().retrying(),
                coordinator.heuristicsReported(), coordinator.heuristicsReportedTotal());
    }

    /**
     * Events not delivered to the {@link Builder#listener listeners} because their queue was full (a listener slower
     * than the transactions) or Lockstep was closing; 0 without listeners. See {@link TransactionListener}.
     */
    public long droppedEvents() {
        return events == null ? 0 : events.dropped();
    }

    /**
     * The decision log's own counters (forces, records, flushes by reason, segments).
     *
     * @throws IllegalStateException if this instance keeps its decisions in a database ({@link
     *     Builder#decisionStore}): {@link #metrics()} has the counters of either store
     */
    public LogStats logStats() {
        if (!(store instanceof OpenedFileLog file)) {
            throw new IllegalStateException("this Lockstep keeps its decisions in " + store.location()
                    + ", not in a file log: read metrics() instead");
        }
        return file.log().stats();
    }

    /**
     * Stops new transactions, waits up to the drain timeout for running ones to complete, rolls back those still
     * running after it, stops the background retries (their decisions stay in the log for recovery), then writes
     * what is pending, forces and unlocks the log. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        LockstepInstances.closing(this);
        if (recovery != null) {
            recovery.stop();
        }
        coordinator.stopAccepting();
        long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
        while (!coordinator.liveTransactions().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (LockstepTransaction tx : coordinator.liveTransactions()) {
            LOG.log(System.Logger.Level.WARNING, TmMessage.DRAIN_TIMEOUT
                    + " transaction {0} still running after the drain timeout of "
                    + "{1}; rolling it back", tx, settings.drainTimeout());
            tx.timeOut();
        }
        reaper.close();
        housekeeper.close();
        coordinator.close();
        try {
            store.close();
        } catch (IOException e) {
            throw new UncheckedIOException(TmMessage.LOG_CLOSE_FAILED + " closing the decision log of node "
                    + settings.nodeId() + " failed", e);
        } finally {
            if (events != null) {
                events.close(); // delivers what is queued, waiting at most a second for a slow listener
            }
        }
    }

    @Override
    public String toString() {
        return "Lockstep[node=" + settings.nodeId() + ", incarnation=" + store.incarnation() + ", decisions="
                + store.location() + "]";
    }

    /**
     * Lockstep's settings, mutable until {@link #build()} copies them into an immutable {@link LockstepSettings}: a
     * builder may be changed and built again without touching the instances it built. Every setting is described
     * once in {@link Settings} (unit, default, bounds); {@link #build()} checks each against it and fails with a
     * message naming the setting, its bound and what to do. The README's settings table is rendered from there.
     */
    public static final class Builder {
        private String nodeId;
        private Path logDirectory;
        private Duration defaultTimeout = Settings.DEFAULT_TIMEOUT.defaultValue();
        private boolean parallelPhases = Settings.PARALLEL_PHASES.defaultValue();
        private int phaseThreads = Settings.PHASE_THREADS.defaultValue();
        private Duration retryInitialDelay = Settings.RETRY_INITIAL_DELAY.defaultValue();
        private Duration retryMaxDelay = Settings.RETRY_MAX_DELAY.defaultValue();
        private Duration timeoutCheckInterval = Settings.TIMEOUT_CHECK_INTERVAL.defaultValue();
        private Duration lostBranchWindow = Settings.LOST_BRANCH_WINDOW.defaultValue();
        private Duration drainTimeout = Settings.DRAIN_TIMEOUT.defaultValue();
        private long logSegmentBytes = Settings.LOG_SEGMENT_BYTES.defaultValue();
        private int groupCommitMaxBatchBytes = Settings.GROUP_COMMIT_MAX_BATCH_BYTES.defaultValue();
        private Duration groupCommitMaxWait = Settings.GROUP_COMMIT_MAX_WAIT.defaultValue();
        private boolean inProcessRecovery = Settings.IN_PROCESS_RECOVERY.defaultValue();
        private Duration recoveryInterval = Settings.RECOVERY_INTERVAL.defaultValue();
        private Clock clock = Settings.CLOCK.defaultValue();
        private CrashPoint.Hook crashHook = Settings.CRASH_HOOK.defaultValue();
        private LogStorage logStorage;
        private PostgresDecisionStore decisionStore;
        private final List<TransactionListener> listeners = new ArrayList<>();
        private long testSegmentBytes;
        private int testFormatVersion;
        private java.util.concurrent.Executor testSegmentPreparer;

        private Builder() {
        }

        /** Required. Unique among the TMs sharing resources, stable across restarts; [A-Za-z0-9._-], ≤ 34 chars. */
        public Builder nodeId(String nodeId) {
            this.nodeId = nodeId;
            return this;
        }

        /** Required. The directory of the decision log; the node's files live in its subdirectory {@code nodeId}. */
        public Builder logDirectory(Path logDirectory) {
            this.logDirectory = logDirectory;
            return this;
        }

        /** Timeout of a transaction whose thread set none; whole seconds, at least 1 s. Default 60 s. */
        public Builder defaultTimeout(Duration timeout) {
            this.defaultTimeout = timeout;
            return this;
        }

        /** Run prepare and commit of several branches in parallel. Default true. */
        public Builder parallelPhases(boolean parallel) {
            this.parallelPhases = parallel;
            return this;
        }

        /**
         * Keeps the decisions in PostgreSQL instead of a file log under {@link #logDirectory} (docs/cluster.md): for
         * nodes without a disk of their own. Each build registers a new incarnation with a lease in the store; the
         * log settings (directory, segment size, group-commit limits) do not apply then. Default: the file log.
         */
        public Builder decisionStore(PostgresDecisionStore store) {
            this.decisionStore = store;
            return this;
        }

        /**
         * Whether this Lockstep finishes what earlier incarnations of its node left in doubt (with the database store:
         * also every node whose lease expired), scanning the resources registered with it every
         * {@link #recoveryInterval}. Default true; turn it off where a recovery service (or the Spring Boot starter's
         * recovery) does it.
         */
        public Builder inProcessRecovery(boolean on) {
            this.inProcessRecovery = on;
            return this;
        }

        /** Time to the first in-process recovery scan, and between scans. Default 30 s. */
        public Builder recoveryInterval(Duration interval) {
            this.recoveryInterval = interval;
            return this;
        }

        /** Threads of the phase executor (shared by all transactions), 1..256. Default 8. */
        public Builder phaseThreads(int threads) {
            this.phaseThreads = threads;
            return this;
        }

        /** Delay before the first background retry of an unreachable branch (jittered to 50–100%). Default 1 s. */
        public Builder retryInitialDelay(Duration delay) {
            this.retryInitialDelay = delay;
            return this;
        }

        /** Cap of the exponential backoff of background retries. Default 30 s. */
        public Builder retryMaxDelay(Duration delay) {
            this.retryMaxDelay = delay;
            return this;
        }

        /** How often the reaper looks for transactions past their deadline. Default 100 ms. */
        public Builder timeoutCheckInterval(Duration interval) {
            this.timeoutCheckInterval = interval;
            return this;
        }

        /**
         * A first phase-two commit answered XAER_NOTA within this time of the COMMIT decision means the resource lost
         * the prepared branch (a heuristic); later than that, a recovery service may have committed it in the
         * meantime, so the branch counts as committed if {@code recover()} no longer lists it. Keep the recovery
         * service's orphan safety interval above it. Default 5 s.
         */
        public Builder lostBranchWindow(Duration window) {
            this.lostBranchWindow = window;
            return this;
        }

        /** How long {@link #close()} waits for running transactions before rolling them back. Default 10 s. */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = timeout;
            return this;
        }

        /** Size of a log segment file, preallocated; 64 KiB to 1 GiB. Default 16 MiB. */
        public Builder logSegmentBytes(long bytes) {
            this.logSegmentBytes = bytes;
            return this;
        }

        /** Most bytes one group-commit force covers; at least 4 KiB. Default 1 MiB. */
        public Builder groupCommitMaxBatchBytes(int bytes) {
            this.groupCommitMaxBatchBytes = bytes;
            return this;
        }

        /** How long a group commit may wait for more committers before forcing; 0 to 1 s. Default 0 (no wait). */
        public Builder groupCommitMaxWait(Duration wait) {
            this.groupCommitMaxWait = wait;
            return this;
        }

        /** The clock of deadlines and log times; for tests. Default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Adds a listener told of every transaction and branch event ({@link TransactionListener}: delivered on a
         * thread of its own, so a slow or failing listener never delays or breaks a commit). May be called several
         * times; each listener sees every event. Default none, and then events cost nothing. A listener that is also a
         * {@link RecoveryListener} is told of the in-process recovery's scans and actions too.
         */
        public Builder listener(TransactionListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Called at each crash point of docs/design.md section 3; for crash tests. Default none. */
        public Builder crashHook(CrashPoint.Hook hook) {
            this.crashHook = hook;
            return this;
        }

        /**
         * Sets {@code setting} (one of {@link Settings#BUILDER}) to {@code value}, as its own method would; for code
         * that configures Lockstep from a table of settings (the JNDI factory, a properties file).
         */
        @SuppressWarnings("unchecked")
        public <T> Builder set(Setting<T> setting, T value) {
            Object v = value;
            if (setting == Settings.NODE_ID) {
                return nodeId((String) v);
            } else if (setting == Settings.LOG_DIRECTORY) {
                return logDirectory((Path) v);
            } else if (setting == Settings.DEFAULT_TIMEOUT) {
                return defaultTimeout((Duration) v);
            } else if (setting == Settings.PARALLEL_PHASES) {
                return parallelPhases((Boolean) v);
            } else if (setting == Settings.PHASE_THREADS) {
                return phaseThreads((Integer) v);
            } else if (setting == Settings.RETRY_INITIAL_DELAY) {
                return retryInitialDelay((Duration) v);
            } else if (setting == Settings.RETRY_MAX_DELAY) {
                return retryMaxDelay((Duration) v);
            } else if (setting == Settings.TIMEOUT_CHECK_INTERVAL) {
                return timeoutCheckInterval((Duration) v);
            } else if (setting == Settings.LOST_BRANCH_WINDOW) {
                return lostBranchWindow((Duration) v);
            } else if (setting == Settings.DRAIN_TIMEOUT) {
                return drainTimeout((Duration) v);
            } else if (setting == Settings.LOG_SEGMENT_BYTES) {
                return logSegmentBytes((Long) v);
            } else if (setting == Settings.GROUP_COMMIT_MAX_BATCH_BYTES) {
                return groupCommitMaxBatchBytes((Integer) v);
            } else if (setting == Settings.GROUP_COMMIT_MAX_WAIT) {
                return groupCommitMaxWait((Duration) v);
            } else if (setting == Settings.IN_PROCESS_RECOVERY) {
                return inProcessRecovery((Boolean) v);
            } else if (setting == Settings.RECOVERY_INTERVAL) {
                return recoveryInterval((Duration) v);
            } else if (setting == Settings.CLOCK) {
                return clock((Clock) v);
            } else if (setting == Settings.CRASH_HOOK) {
                return crashHook((CrashPoint.Hook) v);
            }
            throw new IllegalArgumentException("'" + setting + "' is not a setting of Lockstep.Builder: the settings "
                    + "are " + Settings.BUILDER);
        }

        /** The log's file I/O; for fault-injection tests in this module only. */
        Builder logStorage(LogStorage storage) {
            this.logStorage = storage;
            return this;
        }

        /**
         * Segments of {@code bytes}, below the 64 KiB minimum if need be, prepared on {@code preparer} (a direct
         * executor keeps the order of storage operations repeatable); for the sweeps in this module only.
         */
        Builder testSegments(long bytes, java.util.concurrent.Executor preparer) {
            return testSegments(bytes, preparer, dev.lockstep.tm.log.RecordCodec.FORMAT_VERSION);
        }

        /**
         * As {@link #testSegments(long, java.util.concurrent.Executor)}, writing segments of {@code formatVersion}
         * (2: the logs of earlier releases), so that the sweeps run on both versions.
         */
        Builder testSegments(long bytes, java.util.concurrent.Executor preparer, int formatVersion) {
            this.testSegmentBytes = bytes;
            this.testSegmentPreparer = preparer;
            this.testFormatVersion = formatVersion;
            return this;
        }

        /**
         * Copies the settings into an immutable {@link LockstepSettings} (which checks each against {@link Settings}),
         * opens and locks the decision log, and starts Lockstep. The builder may be changed and built again after.
         */
        public Lockstep build() {
            LockstepSettings settings = new LockstepSettings(nodeId, logDirectory, defaultTimeout, parallelPhases,
                    phaseThreads, retryInitialDelay, retryMaxDelay, timeoutCheckInterval, lostBranchWindow,
                    drainTimeout, logSegmentBytes, groupCommitMaxBatchBytes, groupCommitMaxWait, inProcessRecovery,
                    recoveryInterval, clock, crashHook, decisionStore);
            Lockstep lockstep = new Lockstep(settings, settings.decisionStore() != null
                    ? PgStore.open(settings.decisionStore(), settings.nodeId(), settings.crashHook())
                    : openFileLog(settings), List.copyOf(listeners));
            LockstepInstances.opened(lockstep);
            return lockstep;
        }

        private OpenedDecisionStore openFileLog(LockstepSettings settings) {
            checkDirectory(settings.logDirectory());

            LogStorage storage = logStorage != null ? logStorage : new FileLogStorage();
            if (settings.crashHook() != CrashPoint.Hook.NONE) {
                storage = new CrashPointLogStorage(storage, settings.crashHook());
            }
            LogSettings ls = new LogSettings(settings.logDirectory(), settings.nodeId(), settings.logSegmentBytes(),
                    new GroupCommitPolicy(settings.groupCommitMaxBatchBytes(), settings.groupCommitMaxWait()));
            OpenedLog opened;
            try {
                opened = testSegmentBytes > 0
                        ? DecisionLog.open(ls, storage, testSegmentBytes, testSegmentPreparer, testFormatVersion)
                        : DecisionLog.open(ls, storage);
            } catch (IOException e) {
                throw new IllegalStateException(TmMessage.LOG_OPEN_FAILED + " cannot open the decision log of node '"
                        + settings.nodeId() + "' in " + settings.logDirectory() + ": " + e.getMessage(), e);
            }
            return new OpenedFileLog(opened, settings.nodeId(),
                    "the file log in " + settings.logDirectory().resolve(settings.nodeId()));
        }

        private static void checkDirectory(Path dir) {
            try {
                Files.createDirectories(dir);
            } catch (IOException | SecurityException e) {
                throw new IllegalArgumentException("logDirectory " + dir + " cannot be created (" + e
                        + "): create it, or choose a directory this process can write", e);
            }
            if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
                throw new IllegalArgumentException("logDirectory " + dir + " is not a writable directory: give this "
                        + "process write permission there, or choose another directory");
            }
        }
    }
}
