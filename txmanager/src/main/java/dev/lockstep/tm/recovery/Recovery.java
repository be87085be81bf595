package dev.lockstep.tm.recovery;

import dev.lockstep.tm.internal.log.FileLogStorage;
import dev.lockstep.tm.internal.log.LogStorage;
import dev.lockstep.tm.internal.pgstore.PgDecisionSource;
import dev.lockstep.tm.internal.recovery.DecisionSource;
import dev.lockstep.tm.internal.recovery.FileDecisionSource;
import dev.lockstep.tm.store.PostgresDecisionStore;
import dev.lockstep.tm.internal.recovery.RecoveryEngine;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.spi.RecoverableResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Finishes the transactions a crash left in doubt, from the decision logs of the nodes it is responsible for and the
 * {@code recover()} lists of the configured resources. The recovery service runs it as a daemon; an application can
 * run it in-process with the resources it registered. docs/recovery.md describes the algorithm; the steps of one
 * {@link #scan()} are:
 *
 * <ol>
 * <li><b>Ask the resources.</b> {@code recover()} on every configured resource not backing off after a failure. Keep
 * only XIDs with Lockstep's format id and a node this recovery is responsible for (invariant 2). A resource that fails
 * is retried with capped, jittered exponential backoff; the others are processed meanwhile.</li>
 * <li><b>Read the logs</b>, after the resources, so a COMMIT written by a live owner before its deadline is seen. For
 * each incarnation of each node on disk: if its lock is free the owner is dead, so take the log over (hold the lock),
 * repair a torn tail and keep it; if the lock is held, the owner is alive: read it without writing. A corrupt log
 * (a bad record followed by valid ones) stops recovery of that node's transactions with an error naming file and
 * offset (invariant 8).</li>
 * <li><b>Decide each in-doubt branch.</b> COMMIT decision: commit, unless the owner is alive and the decision is
 * younger than the orphan safety interval (its own phase two is still at work). No decision: roll back if the owner is
 * dead (its log lock is free, or its incarnation was retired), or if the transaction's deadline plus the orphan
 * safety interval has passed (invariant 5); otherwise leave it to its owner. A branch with a recorded heuristic, or of
 * a node whose log is missing or corrupt, is left for an operator.</li>
 * <li><b>Record heuristics.</b> A resource that decided on its own is recorded in the owner's log (when it is dead and
 * taken over), reported, and kept until an operator resolves it (invariant 7).</li>
 * <li><b>End finished decisions.</b> A COMMIT decision of a taken-over log whose every branch committed in this scan
 * or is absent from its resource's answered {@code recover()} list gets its END record (invariant 6: a NOTA answer is
 * not proof, absence from {@code recover()} is).</li>
 * <li><b>Retire empty logs.</b> A taken-over incarnation with nothing open is deleted.</li>
 * </ol>
 *
 * <p>Only one recovery may work on a node at a time: building one takes {@code <logDirectory>/<nodeId>/recovery.lock}
 * for each node, and a second fails with {@link RecoveryLockedException} (unless built {@link Builder#readOnly}).
 * Logs taken over stay locked until {@link #close()}. Thread-safe: {@link #scan()}, {@link #inspect()},
 * {@link #resolve} and {@link #close()} run one at a time (a daemon's HTTP side inspects and resolves between the
 * scans of its scanning thread); the listener is told on the thread of the call.
 */
public final class Recovery implements AutoCloseable {

    /** Name of the file whose lock makes a recovery exclusive for a node. */
    public static final String RECOVERY_LOCK = "recovery.lock";

    private final RecoveryEngine engine;

    private Recovery(Builder b) {
        DecisionSource source = b.decisionStore != null
                ? new PgDecisionSource(b.decisionStore, "recovery")
                : new FileDecisionSource(b.logDirectory, b.logStorage);
        this.engine = new RecoveryEngine(new RecoveryEngine.EngineSettings(source, b.nodeIds, b.resourceList(),
                b.orphanSafetyInterval, b.retryInitialDelay, b.retryMaxDelay, b.clock, b.listener, b.readOnly,
                b.allNodes));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** One pass of the algorithm above. Never throws for a resource or log problem: the report lists them. */
    public synchronized ScanReport scan() {
        return engine.scan();
    }

    /**
     * What is unfinished right now, without changing anything: {@code recover()} on every resource and a read of
     * every log, no lock taken, no phase-two call. For status displays ({@code list}).
     */
    public synchronized ScanReport inspect() {
        return engine.inspect();
    }

    /**
     * An operator's decision for transaction {@code gtridHex} (as {@link InDoubtTransaction#gtrid()} prints it):
     * {@code COMMIT} or {@code ROLLBACK} every branch of it still in doubt, {@code forget()} branches a resource
     * completed heuristically, and record the decision in the owner's log (a COMMIT record before committing, and a
     * FORGET record that clears its heuristics). Refused with {@link ResolveRefusedException} when it would break
     * atomicity (rolling back a transaction with a COMMIT decision) or when the owner is alive.
     *
     * @return what was done
     */
    public synchronized List<RecoveryAction> resolve(String gtridHex, Verdict verdict) {
        return engine.resolve(gtridHex, verdict);
    }

    /** Releases the logs taken over and the recovery locks; closes nothing that was passed in. Idempotent. */
    @Override
    public synchronized void close() {
        engine.close();
    }

    /** Recovery's settings; {@link #build()} validates them with messages that name the setting. */
    public static final class Builder {
        Path logDirectory;
        final Set<String> nodeIds = new LinkedHashSet<>();
        PostgresDecisionStore decisionStore;
        boolean allNodes;
        final Map<String, RecoverableResource> resources = new LinkedHashMap<>();
        Duration orphanSafetyInterval = Duration.ofSeconds(30);
        Duration retryInitialDelay = Duration.ofSeconds(1);
        Duration retryMaxDelay = Duration.ofSeconds(60);
        Clock clock = Clock.systemUTC();
        RecoveryListener listener = RecoveryListener.NONE;
        boolean readOnly;
        LogStorage logStorage = new FileLogStorage();

        private Builder() {
        }

        /**
         * Reads the decisions from PostgreSQL instead of a log directory (docs/cluster.md): the store the transaction
         * managers were built with. Dead incarnations are found by their expired leases and taken over by bumping
         * their epoch, so any number of recoveries may scan one store.
         */
        public Builder decisionStore(PostgresDecisionStore store) {
            this.decisionStore = store;
            return this;
        }

        /**
         * Finishes the transactions of every node in the store (listed again at each scan) instead of named ones:
         * for nodes without stable ids, such as the pods of a Deployment.
         */
        public Builder allNodes() {
            this.allNodes = true;
            return this;
        }

        /** Required. The directory that holds the nodes' logs (the transaction managers' {@code logDirectory}). */
        public Builder logDirectory(Path dir) {
            this.logDirectory = dir;
            return this;
        }

        /** Required, at least one. The node ids whose transactions this recovery finishes. */
        public Builder nodeIds(Collection<String> ids) {
            ids.forEach(this::nodeId);
            return this;
        }

        public Builder nodeId(String id) {
            nodeIds.add(LogLayout.checkNodeId(id));
            return this;
        }

        /** The resources to scan; names unique (docs/design.md invariant 3). */
        public Builder resources(Collection<? extends RecoverableResource> list) {
            list.forEach(this::resource);
            return this;
        }

        public Builder resource(RecoverableResource r) {
            Objects.requireNonNull(r, "resource");
            if (resources.putIfAbsent(r.name(), r) != null) {
                throw new IllegalArgumentException("two resources are named '" + r.name() + "': resource names must "
                        + "be unique, since the log records branches by resource name");
            }
            return this;
        }

        /**
         * How long past a live transaction's deadline (for a branch without decision), or past a live COMMIT
         * decision (for a branch with one), recovery waits before acting in its place. Covers a slow force of the
         * log and clock steps. Default 30 s.
         */
        public Builder orphanSafetyInterval(Duration d) {
            this.orphanSafetyInterval = d;
            return this;
        }

        /** First delay before trying an unreachable resource again (jittered to 50–100 %). Default 1 s. */
        public Builder retryInitialDelay(Duration d) {
            this.retryInitialDelay = d;
            return this;
        }

        /** Cap of the backoff for an unreachable resource. Default 60 s. */
        public Builder retryMaxDelay(Duration d) {
            this.retryMaxDelay = d;
            return this;
        }

        /**
         * Where every file of the logs is read and written; {@link FileLogStorage} unless a test gives a simulated or
         * fault-injecting one. Package-private: not part of the API.
         */
        Builder logStorage(LogStorage storage) {
            this.logStorage = Objects.requireNonNull(storage, "storage");
            return this;
        }

        /** The clock of deadlines and backoff; for tests. */
        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        /** Told of every action. Default none. */
        public Builder listener(RecoveryListener l) {
            this.listener = l;
            return this;
        }

        /** Take no lock and refuse {@link #scan()} and {@link #resolve}: for {@link #inspect()} beside a daemon. */
        public Builder readOnly(boolean ro) {
            this.readOnly = ro;
            return this;
        }

        /** Validates, takes the recovery lock of each node (unless read-only) and returns the recovery. */
        public Recovery build() {
            if (decisionStore == null && logDirectory == null) {
                throw new IllegalArgumentException("logDirectory is missing: set the directory that holds the "
                        + "transaction managers' decision logs (their logDirectory setting), or their decisionStore");
            }
            if (decisionStore == null && !Files.isDirectory(logDirectory)) {
                throw new IllegalArgumentException("logDirectory " + logDirectory + " is not a directory: point it "
                        + "at the transaction managers' logDirectory");
            }
            if (allNodes && decisionStore == null) {
                throw new IllegalArgumentException("allNodes() needs the database decision store: with file logs, "
                        + "name the nodes, so that this recovery takes each one's recovery lock");
            }
            if (allNodes && !nodeIds.isEmpty()) {
                throw new IllegalArgumentException("both allNodes() and node ids " + nodeIds + ": choose one");
            }
            if (nodeIds.isEmpty() && !allNodes) {
                throw new IllegalArgumentException("no node ids: name the nodes whose transactions this recovery "
                        + "finishes (the transaction managers' nodeId settings)");
            }
            requirePositive("orphanSafetyInterval", orphanSafetyInterval);
            requirePositive("retryInitialDelay", retryInitialDelay);
            requirePositive("retryMaxDelay", retryMaxDelay);
            if (retryMaxDelay.compareTo(retryInitialDelay) < 0) {
                throw new IllegalArgumentException("retryMaxDelay (" + retryMaxDelay + ") is shorter than "
                        + "retryInitialDelay (" + retryInitialDelay + ")");
            }
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(listener, "listener");
            return new Recovery(this);
        }

        List<RecoverableResource> resourceList() {
            return new ArrayList<>(resources.values());
        }

        private static void requirePositive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
        }
    }
}
