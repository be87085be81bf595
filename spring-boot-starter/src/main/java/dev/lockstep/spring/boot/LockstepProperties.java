package dev.lockstep.spring.boot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Everything the starter builds, from {@code lockstep.*} properties: the transaction manager's settings (the same as
 * {@code Lockstep.builder()}'s, README "Settings"), the named DataSources and JMS connection factories, and the
 * in-process recovery. {@link LockstepPropertiesValidator} checks them before anything is built, with the bounds of
 * {@code dev.lockstep.tm.settings.Settings}, the one description of every setting; the defaults here are literals
 * (the configuration processor shows only those in the metadata) and LockstepPropertiesDefaultsTest keeps them equal.
 */
@ConfigurationProperties(prefix = LockstepProperties.PREFIX)
public class LockstepProperties {

    public static final String PREFIX = "lockstep";

    /** Whether the starter configures anything at all. */
    private boolean enabled = true;

    /**
     * Identity of this transaction manager in every XID and in the log's directory name: unique among the
     * applications that share resources, the same after a restart; [A-Za-z0-9._-], 1-34 characters. Required.
     */
    private String nodeId;

    /**
     * Directory of the decision log (the node's files live in its subdirectory named after node-id), on a local disk
     * that survives restarts. Required.
     */
    private Path logDirectory;

    /**
     * Timeout of a transaction that sets none (a @Transactional without timeout and no
     * spring.transaction.default-timeout); whole seconds, at least 1 s. Past it the transaction is rolled back.
     */
    private Duration defaultTimeout = Duration.ofSeconds(60);

    /** Prepare and commit the branches of one transaction in parallel. */
    private boolean parallelPhases = true;

    /** Threads of the executor shared by parallel phases, 1-256. */
    private int phaseThreads = 8;

    /** First background retry of a branch phase two could not reach (jittered to 50-100 %). */
    private Duration retryInitialDelay = Duration.ofSeconds(1);

    /** Cap of the exponential backoff of those retries. */
    private Duration retryMaxDelay = Duration.ofSeconds(30);

    /** How often the reaper looks for transactions past their deadline. */
    private Duration timeoutCheckInterval = Duration.ofMillis(100);

    /**
     * A first commit answered XAER_NOTA within this time of the decision is a lost branch (a heuristic); keep
     * lockstep.recovery.orphan-safety-interval above it.
     */
    private Duration lostBranchWindow = Duration.ofSeconds(5);

    /** How long closing the context waits for running transactions before rolling them back. */
    private Duration drainTimeout = Duration.ofSeconds(10);

    /** Size of one preallocated log segment file, 64KB to 1GB. */
    private DataSize logSegmentSize = DataSize.ofMegabytes(16);

    /** Most bytes one forced write of the log covers, at least 4KB. */
    private DataSize groupCommitMaxBatchSize = DataSize.ofMegabytes(1);

    /** How long a group commit may wait for more committers before forcing, 0 to 1s (0: never waits). */
    private Duration groupCommitMaxWait = Duration.ZERO;

    /**
     * Pooled XA DataSources whose connections join the current transaction, by name. The name is the bean name and
     * the resource name recorded in the decision log: stable across restarts, [A-Za-z0-9._-].
     */
    private final Map<String, DataSource> datasources = new LinkedHashMap<>();

    /** Pooled Artemis JMS ConnectionFactories whose sessions join the current transaction, by name (as datasources). */
    private final Map<String, Jms> jms = new LinkedHashMap<>();

    /** The in-process recovery of this node's earlier incarnations. */
    private final RecoveryProperties recovery = new RecoveryProperties();

    /** The Actuator health indicator 'lockstep' (docs/operations.md, "Spring Boot Actuator"). */
    private final HealthProperties health = new HealthProperties();

    /**
     * Decisions in PostgreSQL instead of {@code log-directory} (docs/cluster.md): set {@code url} to choose it. For
     * nodes without a disk of their own; the node id may then change at every start (a pod's name).
     */
    private final DecisionStoreProperties decisionStore = new DecisionStoreProperties();

    /** What the database behind a DataSource is: decides the XADataSource and the vendor's XA quirks. */
    public enum DatabaseKind {
        /** PostgreSQL through pgjdbc (jdbc:postgresql: URLs). */
        POSTGRESQL,
        /** MySQL or MariaDB through mysql-connector-j (jdbc:mysql: URLs). */
        MYSQL
    }

    /** One pooled, enlisting DataSource. */
    public static class DataSource {

        /** JDBC URL: jdbc:postgresql://host:port/db or jdbc:mysql://host:port/db (MySQL and MariaDB). Required. */
        private String url;

        /** User to connect as. */
        private String username;

        /** Password of that user. */
        private String password;

        /** What the database is; inferred from the URL when not set. */
        private DatabaseKind kind;

        /** Most connections of the pool. PostgreSQL's max_prepared_transactions must be at least this. */
        private int poolSize = 10;

        /** How long getConnection() waits for a free connection before it fails. */
        private Duration acquisitionTimeout = Duration.ofSeconds(30);

        /**
         * Make this DataSource the @Primary one, the one injected without qualifier and the one Boot's JdbcTemplate,
         * JPA and schema initialisation use. With a single DataSource it is not needed; with several, at most one.
         */
        private boolean primary;

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public DatabaseKind getKind() {
            return kind;
        }

        public void setKind(DatabaseKind kind) {
            this.kind = kind;
        }

        public int getPoolSize() {
            return poolSize;
        }

        public void setPoolSize(int poolSize) {
            this.poolSize = poolSize;
        }

        public Duration getAcquisitionTimeout() {
            return acquisitionTimeout;
        }

        public void setAcquisitionTimeout(Duration acquisitionTimeout) {
            this.acquisitionTimeout = acquisitionTimeout;
        }

        public boolean isPrimary() {
            return primary;
        }

        public void setPrimary(boolean primary) {
            this.primary = primary;
        }

        @Override
        public String toString() {
            return "DataSource[url=" + url + ", username=" + username + ", kind=" + kind + ", poolSize=" + poolSize
                    + "]";
        }
    }

    /** One pooled, enlisting Artemis ConnectionFactory. */
    public static class Jms {

        /** Artemis broker URL, e.g. tcp://host:61616. Required. */
        private String brokerUrl;

        /** User to connect as (none for a broker without security). */
        private String username;

        /** Password of that user. */
        private String password;

        /** Most pooled connections to the broker. */
        private int poolSize = 8;

        /** Make this ConnectionFactory the @Primary one (with several, at most one). */
        private boolean primary;

        public String getBrokerUrl() {
            return brokerUrl;
        }

        public void setBrokerUrl(String brokerUrl) {
            this.brokerUrl = brokerUrl;
        }

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public int getPoolSize() {
            return poolSize;
        }

        public void setPoolSize(int poolSize) {
            this.poolSize = poolSize;
        }

        public boolean isPrimary() {
            return primary;
        }

        public void setPrimary(boolean primary) {
            this.primary = primary;
        }

        @Override
        public String toString() {
            return "Jms[brokerUrl=" + brokerUrl + ", username=" + username + ", poolSize=" + poolSize + "]";
        }
    }

    /** In-process recovery: a scan of this node's logs and the configured resources, on a schedule. */
    public static class RecoveryProperties {

        /**
         * Scan on a schedule. Turn it off only when a recovery service (the daemon) is configured for this node and
         * these resources: only one recovery works on a node at a time.
         */
        private boolean enabled = true;

        /** Delay between the end of one scan and the start of the next. */
        private Duration interval = Duration.ofSeconds(30);

        /** Delay before the first scan after the context started. */
        private Duration initialDelay = Duration.ZERO;

        /**
         * How long past a live transaction's deadline, or past a live COMMIT decision, recovery waits before acting
         * in its owner's place; above lockstep.lost-branch-window.
         */
        private Duration orphanSafetyInterval = Duration.ofSeconds(30);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public Duration getInitialDelay() {
            return initialDelay;
        }

        public void setInitialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
        }

        public Duration getOrphanSafetyInterval() {
            return orphanSafetyInterval;
        }

        public void setOrphanSafetyInterval(Duration orphanSafetyInterval) {
            this.orphanSafetyInterval = orphanSafetyInterval;
        }
    }

    /** The Actuator health indicator 'lockstep'. */
    public static class HealthProperties {

        /**
         * A branch prepared and waiting for phase two longer than this (left to the background retrier, or found in
         * doubt by the recovery scan) is reported in the health's details as needing attention.
         */
        private Duration inDoubtThreshold = Duration.ofMinutes(5);

        public Duration getInDoubtThreshold() {
            return inDoubtThreshold;
        }

        public void setInDoubtThreshold(Duration inDoubtThreshold) {
            this.inDoubtThreshold = inDoubtThreshold;
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public HealthProperties getHealth() {
        return health;
    }

    public DecisionStoreProperties getDecisionStore() {
        return decisionStore;
    }

    /** The database decision store: a PostgreSQL database reached with plain (non-XA) pooled connections. */
    public static class DecisionStoreProperties {

        /** JDBC URL of the PostgreSQL database that keeps the decisions; unset: the file log. */
        private String url;

        private String username;

        private String password;

        /** Schema of the store's tables. */
        private String schema = "lockstep";

        /** Create the schema on first use; false refuses to start and prints the DDL. */
        private boolean createSchema = true;

        /** How long a lease lasts without renewal (2 s to 10 min). */
        private Duration lease = Duration.ofSeconds(15);

        /** Connections of the store's pool: the writer, the lease, and recovery. */
        private int poolSize = 4;

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public String getSchema() {
            return schema;
        }

        public void setSchema(String schema) {
            this.schema = schema;
        }

        public boolean isCreateSchema() {
            return createSchema;
        }

        public void setCreateSchema(boolean createSchema) {
            this.createSchema = createSchema;
        }

        public Duration getLease() {
            return lease;
        }

        public void setLease(Duration lease) {
            this.lease = lease;
        }

        public int getPoolSize() {
            return poolSize;
        }

        public void setPoolSize(int poolSize) {
            this.poolSize = poolSize;
        }

        /** Never the password. */
        @Override
        public String toString() {
            return "DecisionStore[url=" + url + ", username=" + username + ", schema=" + schema + ", lease=" + lease
                    + "]";
        }
    }

    public String getNodeId() {
        return nodeId;
    }

    public void setNodeId(String nodeId) {
        this.nodeId = nodeId;
    }

    public Path getLogDirectory() {
        return logDirectory;
    }

    public void setLogDirectory(Path logDirectory) {
        this.logDirectory = logDirectory;
    }

    public Duration getDefaultTimeout() {
        return defaultTimeout;
    }

    public void setDefaultTimeout(Duration defaultTimeout) {
        this.defaultTimeout = defaultTimeout;
    }

    public boolean isParallelPhases() {
        return parallelPhases;
    }

    public void setParallelPhases(boolean parallelPhases) {
        this.parallelPhases = parallelPhases;
    }

    public int getPhaseThreads() {
        return phaseThreads;
    }

    public void setPhaseThreads(int phaseThreads) {
        this.phaseThreads = phaseThreads;
    }

    public Duration getRetryInitialDelay() {
        return retryInitialDelay;
    }

    public void setRetryInitialDelay(Duration retryInitialDelay) {
        this.retryInitialDelay = retryInitialDelay;
    }

    public Duration getRetryMaxDelay() {
        return retryMaxDelay;
    }

    public void setRetryMaxDelay(Duration retryMaxDelay) {
        this.retryMaxDelay = retryMaxDelay;
    }

    public Duration getTimeoutCheckInterval() {
        return timeoutCheckInterval;
    }

    public void setTimeoutCheckInterval(Duration timeoutCheckInterval) {
        this.timeoutCheckInterval = timeoutCheckInterval;
    }

    public Duration getLostBranchWindow() {
        return lostBranchWindow;
    }

    public void setLostBranchWindow(Duration lostBranchWindow) {
        this.lostBranchWindow = lostBranchWindow;
    }

    public Duration getDrainTimeout() {
        return drainTimeout;
    }

    public void setDrainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

    public DataSize getLogSegmentSize() {
        return logSegmentSize;
    }

    public void setLogSegmentSize(DataSize logSegmentSize) {
        this.logSegmentSize = logSegmentSize;
    }

    public DataSize getGroupCommitMaxBatchSize() {
        return groupCommitMaxBatchSize;
    }

    public void setGroupCommitMaxBatchSize(DataSize groupCommitMaxBatchSize) {
        this.groupCommitMaxBatchSize = groupCommitMaxBatchSize;
    }

    public Duration getGroupCommitMaxWait() {
        return groupCommitMaxWait;
    }

    public void setGroupCommitMaxWait(Duration groupCommitMaxWait) {
        this.groupCommitMaxWait = groupCommitMaxWait;
    }

    public Map<String, DataSource> getDatasources() {
        return datasources;
    }

    public Map<String, Jms> getJms() {
        return jms;
    }

    public RecoveryProperties getRecovery() {
        return recovery;
    }
}
