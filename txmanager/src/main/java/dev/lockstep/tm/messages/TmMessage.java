package dev.lockstep.tm.messages;

/**
 * The message ids of the core (txmanager), {@code LKS-001} to {@code LKS-299}: 0xx configuration and start, 1xx
 * transactions, 2xx recovery. Each id names one condition, with what it means and what to do; docs/messages.md is
 * rendered from this enum. Call sites keep their own, specific text and start it with the constant: its {@code
 * toString()} is the id.
 *
 * <p>Ids are stable: operators grep for them and alert on them. A condition that needs other advice gets a new id, and
 * a retired id is not given to another condition.
 */
public enum TmMessage implements MessageId {

    // 0xx: configuration and start
    UNFINISHED_DECISIONS_AT_START(1,
            "At start the log holds decisions of earlier incarnations that are not finished (COMMIT without END, "
            + "or heuristics).",
            "Run the recovery service (or in-process recovery) for this node: it finishes them."),
    DRAIN_TIMEOUT(2,
            "At close a transaction was still running after the drain timeout; it is rolled back.",
            "Let transactions end before closing, or raise drainTimeout."),
    LOG_CLOSE_FAILED(3,
            "Closing the decision log failed.",
            "Check the disk and the log directory; the next start and recovery read whatever the log holds."),
    LOG_OPEN_FAILED(4,
            "The decision log cannot be opened when the Lockstep is built.",
            "Check that logDirectory is writable, on a local disk, and not used by another process with this node "
            + "id."),
    NO_INSTANCE_WITH_NODE_ID(10,
            "An integration (JNDI, Spring, Hibernate) looked for an open Lockstep by node id and found none.",
            "Build the Lockstep with that nodeId and keep it open before the integration starts, or fix the "
            + "setting."),
    NO_INSTANCE_OPEN(11,
            "An integration looked for the open Lockstep of the JVM and none is open.",
            "Build one and keep it open before the integration starts."),
    NODE_ID_OPEN_TWICE(12,
            "Several open Lockstep instances have the node id an integration asked for.",
            "Give each transaction manager of the JVM its own node id."),
    INSTANCE_AMBIGUOUS(13,
            "Several Lockstep instances are open and the integration does not say which one to use.",
            "Set the integration's node id setting to the node id of the one to use."),

    // JNDI (were LKS-J01 to LKS-J09)
    JNDI_NAME_TAKEN(20,
            "A JNDI name Lockstep binds to is already bound.",
            "Unbind it first (LockstepJndi.unbind for a Lockstep's objects), or bind in another context."),
    JNDI_UNKNOWN_TYPE(21,
            "A JNDI Reference asks LockstepObjectFactory for a type it does not provide.",
            "Use UserTransaction, TransactionManager, TransactionSynchronizationRegistry or Lockstep as its type."),
    JNDI_NODE_ID_MISSING(22,
            "A JNDI Reference has no nodeId attribute.",
            "Set nodeId: unique among the transaction managers sharing resources, stable across restarts."),
    JNDI_LOG_DIRECTORY_MISSING(23,
            "A JNDI Reference has no logDirectory attribute.",
            "Set logDirectory to a directory on a local disk that survives restarts."),
    JNDI_ATTRIBUTES_DIFFER(24,
            "Two JNDI References of one nodeId carry different attributes.",
            "Give every Reference of one nodeId the same attributes."),
    JNDI_NODE_ALREADY_OPEN(25,
            "A JNDI Reference names a node that is open in the JVM but was not created by the factory.",
            "Bind that instance with LockstepJndi.bind, or give the Reference another nodeId."),
    JNDI_ATTRIBUTE_INVALID(26,
            "A JNDI Reference has an attribute whose value its setting rejects.",
            "Fix the value as the message says; the README's settings table gives unit and bounds."),
    JNDI_BUILD_FAILED(27,
            "Building a Lockstep from a JNDI Reference's attributes failed.",
            "Read the cause: usually the log directory cannot be opened."),
    JNDI_UNKNOWN_ATTRIBUTE(28,
            "A JNDI Reference has an attribute Lockstep does not know.",
            "Remove it or fix its spelling; the message lists the known attributes."),

    STORE_SCHEMA_MISSING(40,
            "The database decision store's schema does not exist and the store may not create it.",
            "Run the DDL the message gives (or docs/cluster.md's), or allow the store to create its schema."),
    STORE_SCHEMA_VERSION(41,
            "The database decision store's schema has a version this Lockstep does not know.",
            "Run a Lockstep version that knows that schema, or point the store at another schema."),
    STORE_OPEN_FAILED(42,
            "The database decision store cannot be opened: the schema check or the registration of this "
            + "incarnation failed.",
            "Check that the database is reachable with the DataSource's settings and that the user may write the "
            + "schema; the cause names the database's error."),
    LEASE_LOST(43,
            "This incarnation's lease in the database decision store was taken over (or expired and was "
            + "fenced): it can no longer write a decision, and its commits end rolled back or unknown.",
            "Restart the node: a new incarnation gets a new lease. Find why it could not renew in time (a pause, "
            + "a network partition); a lease longer than the longest pause avoids it."),
    LEASE_RENEW_FAILED(44,
            "Renewing this incarnation's lease in the database decision store failed; it is retried.",
            "Check the decision database; if renewal keeps failing past the lease, other nodes take the lease "
            + "over and this node's commits are refused."),
    STORE_END_WRITE_FAILED(45,
            "A batch of END records could not be written to the database decision store; the decisions stay "
            + "open until recovery looks at them.",
            "Nothing is lost; check the decision database."),
    STORE_RELEASE_FAILED(46,
            "At close, releasing this incarnation's lease (or deleting it when empty) failed.",
            "Nothing is lost: the lease expires and a recovery takes the incarnation over."),
    STORE_WRITE_SETTLED(47,
            "The connection to the database decision store broke while COMMIT records were being written; the "
            + "node bumped its own lease's epoch and read back whether they were recorded, so their committers "
            + "got a definite answer.",
            "Nothing to do for the transactions. Check the decision database (a failover, a network drop); a "
            + "multi-host URL with targetServerType=primary reconnects to the new primary."),

    // 1xx: transactions
    ILLEGAL_STATE_MOVE(101,
            "A transaction was asked to move to a state its state machine does not allow from where it is.",
            "A bug in Lockstep or in an integration calling it: report it with the stack trace."),
    PHASE_CALL_THREW(102,
            "A phase call that handles its own errors threw.",
            "A bug in Lockstep: report it with the stack trace."),
    RESOURCE_NAME_TAKEN(103,
            "A resource was registered under a name another resource already has.",
            "Give every resource its own stable, unique name: it is written into the decision log."),
    TOO_LATE_FOR_ROLLBACK_ONLY(104,
            "setRollbackOnly() after commit() started preparing.",
            "Nothing: the transaction completes as decided. Mark it rollback-only before commit() starts."),
    SYNCHRONIZATION_ON_ROLLBACK_ONLY(105,
            "registerSynchronization() on a transaction marked rollback-only.",
            "Roll the transaction back: a synchronization there would never see a commit."),
    SYNCHRONIZATION_TOO_LATE(106,
            "registerSynchronization() on a transaction that is no longer active, or whose beforeCompletion "
            + "callbacks ran.",
            "Register synchronizations while the transaction is active."),
    RESOURCE_PUT_TOO_LATE(107,
            "putResource() on a transaction that is no longer running.",
            "Put resources while the transaction runs."),
    DELISTED_WITH_TMFAIL(108,
            "commit() of a transaction one of whose branches was delisted with TMFAIL.",
            "Nothing: the transaction can only roll back. Find why the branch failed."),
    BRANCH_START_FAILED(109,
            "start() of a branch on its resource failed.",
            "Check the resource (the message names the XA code); the transaction cannot use it."),
    BRANCH_ROLLED_BACK_AT_START(110,
            "The resource rolled a branch back when it was started.",
            "Roll the transaction back; the message names the resource's reason."),
    ENLIST_ROLLBACK_ONLY(111,
            "enlistResource() on a transaction marked rollback-only.",
            "Roll it back and begin a new one."),
    ENLIST_NOT_RUNNING(112,
            "enlistResource() on a transaction that is completing, completed or timed out.",
            "Begin a new transaction for new work."),
    DELIST_BAD_FLAG(113,
            "delistResource() with a flag other than TMSUCCESS, TMFAIL or TMSUSPEND.",
            "Fix the caller (a pool or framework integration)."),
    DELIST_NOT_ACTIVE(114,
            "delistResource() on a transaction that is no longer active.",
            "Delist before commit() or rollback() starts; usually a race with another thread completing it."),
    BRANCH_END_FAILED(115,
            "end() of a branch failed when it was delisted; the transaction will roll back.",
            "Check the resource (the message names the XA code)."),
    IS_SAME_RM_FAILED(116,
            "isSameRM() of a resource being enlisted, asked against a branch already enlisted, failed.",
            "Check the resource (the message names the XA code); it was not enlisted."),

    // completion
    ROLLED_BACK(120,
            "commit() rolled the transaction back instead (timeout, rollback-only, a failed prepare or "
            + "beforeCompletion).",
            "Nothing was committed; the message says why. Retry the work in a new transaction if that makes sense."),
    COMMIT_AFTER_COMPLETION(121,
            "commit() of a transaction that is already completing or completed.",
            "Complete each transaction once; usually a race with another thread or with the timeout."),
    ONE_PHASE_OUTCOME_UNKNOWN(122,
            "The outcome of a one-phase commit is unknown: the resource failed while committing.",
            "Check the resource and resolve the branch there; it is recorded as a heuristic."),
    HEURISTIC_ROLLBACK_ON_COMMIT(123,
            "A transaction decided to commit was rolled back by every resource on its own.",
            "Nothing committed. Check the resources, then close the heuristics with the recovery service's "
            + "resolve."),
    HEURISTIC_MIXED_ON_COMMIT(124,
            "A transaction decided to commit was committed by some branches and not by others.",
            "Atomicity is broken: reconcile the data by hand. The heuristics are in the log and listed by the "
            + "recovery service."),
    ROLLBACK_AFTER_COMPLETION(125,
            "rollback() of a transaction that is already completing or completed.",
            "Complete each transaction once; usually a race with another thread or with the timeout."),
    HEURISTIC_ON_ROLLBACK(126,
            "rollback() rolled the transaction back, but some resources had decided on their own.",
            "Check those resources: their work may have committed. The heuristics are in the log."),
    TIMED_OUT(127,
            "A transaction passed its timeout and is rolled back.",
            "Make the work shorter or raise the timeout; the application's commit() gets a RollbackException."),
    HEURISTIC_MIXED_ON_ROLLBACK(128,
            "commit() had to roll the transaction back, but some resources had decided on their own.",
            "Check those resources: their work may have committed. The heuristics are in the log."),
    BEFORE_COMPLETION_FAILED(129,
            "A synchronization's beforeCompletion threw; the transaction rolls back.",
            "Fix the synchronization; the stack trace is logged."),
    AFTER_COMPLETION_FAILED(130,
            "A synchronization's afterCompletion threw; ignored, the outcome stands.",
            "Fix the synchronization; the stack trace is logged."),
    HEURISTIC(131,
            "A resource decided a branch on its own (heuristic commit, rollback, mixed or hazard).",
            "Check the resource; the heuristic stays in the log until an operator resolves it with the recovery "
            + "service."),
    HEURISTIC_NOT_RECORDED(132,
            "A heuristic outcome could not be written to the log.",
            "Check the disk. The resource is not told to forget the branch, so recovery finds it there."),
    OUTCOME_UNKNOWN(133,
            "Writing the COMMIT record failed after it may have been recorded (on the disk, or in the database "
            + "store): the outcome is unknown.",
            "File log: check the disk and restart the process. Database store: check the database's reachability. "
            + "Recovery commits the prepared branches if the record is durable, else rolls them back."),
    FINISHED_BY_RECOVERY(134,
            "A branch answered XAER_NOTA to commit after the COMMIT decision and recover() no longer lists it: a "
            + "recovery finished it.",
            "Nothing: informational."),

    // phase two retried in the background
    RETRYING_IN_BACKGROUND(140,
            "A branch could not be committed or rolled back now (its resource failed); it is retried in the "
            + "background.",
            "Nothing if the resource comes back; check it if the retries go on."),
    RETRY_DONE(141,
            "A branch retried in the background was committed or rolled back.",
            "Nothing: informational."),
    HEURISTIC_ON_RETRY(142,
            "A resource decided a branch on its own while the branch was retried in the background.",
            "Check the resource; the heuristic stays in the log until an operator resolves it with the recovery "
            + "service."),

    // the transaction manager
    CLOSED(150,
            "begin() on a Lockstep instance that is closed.",
            "Begin transactions only while the instance is open; at shutdown stop the work first."),
    NESTED_BEGIN(160,
            "begin() on a thread already associated with a transaction; nested transactions are not supported.",
            "Commit, roll back or suspend the current transaction first."),
    TIMEOUT_NEGATIVE(161,
            "setTransactionTimeout() with a negative number of seconds.",
            "Pass 0 or more seconds (0 restores the default)."),
    RESUME_FOREIGN(162,
            "resume() of a transaction that is not one of this Lockstep instance.",
            "Resume only what this instance's suspend() returned."),
    RESUME_ENDED(163,
            "resume() of a transaction that has ended.",
            "Begin a new transaction."),
    RESUME_THREAD_BUSY(164,
            "resume() on a thread already associated with a transaction.",
            "Suspend the current transaction first."),
    NO_TRANSACTION(165,
            "A TransactionManager call that needs a transaction, on a thread that has none.",
            "Call begin() first."),
    NO_TRANSACTION_FOR_REGISTRY(166,
            "A TransactionSynchronizationRegistry call that needs a transaction, on a thread that has none.",
            "Call it inside a transaction."),

    // housekeeping and the log
    HOUSEKEEPING_FAILED(170,
            "A housekeeping chore (timeouts, retries) threw; it runs again at its next period.",
            "Report it with the stack trace if it repeats."),
    END_NOT_WRITTEN(180,
            "The END record of a completed transaction was not written.",
            "Nothing for the transaction: recovery finishes its decision. Check the disk if it repeats."),
    RECLAIM_FAILED(181,
            "Deleting old log segments failed after a successful force; it is tried again later.",
            "Check the disk and the log directory's permissions; the forced records are safe."),

    // events for monitoring (TransactionListener)
    LISTENER_FAILED(190,
            "A transaction listener threw on an event; it keeps receiving events, and the transaction is not "
            + "affected. Logged once per listener.",
            "Fix the listener (the stack trace names it)."),
    EVENTS_DROPPED(191,
            "The queue of transaction events is full because a listener is slower than the transactions: new "
            + "events are dropped (and counted) until it catches up; no transaction waits. Logged once per burst.",
            "Make the listener return quickly (hand slow work to a thread of its own); Lockstep.droppedEvents() "
            + "counts what was lost."),

    // 2xx: recovery
    RECOVERY_LOCKED(201,
            "Another recovery (a daemon, a scan, or one in-process) already works on the node's logs.",
            "Stop the other one, or use the read-only commands (list, log dump)."),
    RECOVERY_LOCK_FAILED(202,
            "The recovery lock files cannot be created in the log directory.",
            "Make the log directory writable by this process."),
    TAKEN_OVER_LOG_CLOSE_FAILED(203,
            "Closing a log that recovery had taken over failed.",
            "Check the disk; the next recovery takes the log over again."),
    RECOVERY_LOCK_RELEASE_FAILED(204,
            "Releasing a recovery lock failed.",
            "Check the log directory; the lock is freed when this process ends."),

    // a scan report's logProblems
    CORRUPT_LOG(205,
            "An incarnation's log is corrupt; its transactions are left in doubt, no decision is guessed.",
            "Keep the file for analysis; resolve its transactions by hand with the recovery service."),
    LOG_DIRECTORY_UNREADABLE(206,
            "Recovery cannot read a node's log directory.",
            "Check log.directory and its permissions; the next scan tries again."),
    LOG_MISSING(207,
            "Resources hold branches in doubt of a node that has no log; recovery does not presume abort without "
            + "it.",
            "Check log.directory; if the log is truly lost, resolve the branches by hand."),
    LOG_UNREADABLE(208,
            "Recovery cannot read an incarnation's log (an I/O error, not corruption).",
            "Check the disk and the permissions; the next scan tries again."),
    NODE_WITHOUT_LOG(209,
            "A configured node has no log at all in the log directory (no incarnation file): it never ran there, or "
            + "the directory is wrong.",
            "Check log.directory and the node ids; a node that never started has no log, and nothing of it is in "
            + "doubt."),

    // actions
    RECOVERY_ACTION(210,
            "One action of recovery (take over, decide, commit, roll back, forget), done or not done.",
            "Nothing when done; when not done the detail says why, and the next scan tries again."),
    RECOVERY_LISTENER_FAILED(211,
            "A recovery listener threw; recovery goes on.",
            "Fix the listener."),
    IN_PROCESS_RECOVERY_FAILED(212,
            "An in-process recovery scan failed as a whole (it could not be built or threw); the next one runs "
            + "after the recovery interval.",
            "Read the cause: usually the log directory or the decision store cannot be read."),
    IN_PROCESS_RECOVERY_LEFT_IN_DOUBT(213,
            "An in-process recovery scan ended with transactions still in doubt or with problems (an unreachable "
            + "resource, an unreadable log).",
            "Read the listed problems; the next scan tries again. Transactions the owner still decides are left to "
            + "it."),
    IN_PROCESS_RECOVERY_ACTED(214,
            "An in-process recovery scan finished transactions of an earlier incarnation or of a dead node.",
            "Nothing: this is what it is for. The actions are listed."),

    // an operator's resolve refused (ResolveRefusedException)
    RESOLVE_NOT_A_GTRID(220,
            "resolve was given text that is not a hexadecimal gtrid.",
            "Give the global id as 'list' prints it."),
    RESOLVE_FOREIGN_GTRID(221,
            "resolve was given a gtrid that is not one of Lockstep's.",
            "Resolve it with its own transaction manager or the resource's tools."),
    RESOLVE_OTHER_NODE(222,
            "resolve was given a gtrid of a node this recovery is not configured for.",
            "Add the node to the configured nodes, or resolve it where that node is recovered."),
    RESOLVE_ROLLBACK_OF_COMMIT(223,
            "resolve --rollback of a transaction with a durable COMMIT decision.",
            "Use resolve --commit, or let a scan finish it."),
    RESOLVE_NOTHING_IN_DOUBT(224,
            "resolve of a transaction with no branch in doubt and nothing open in its log.",
            "Nothing: there is nothing to resolve."),
    RESOLVE_LOG_DIRECTORY_UNREADABLE(225,
            "resolve cannot read the node's log directory.",
            "Check log.directory and its permissions, then try again."),
    RESOLVE_LOG_MISSING(226,
            "resolve finds no log of the transaction's incarnation, so the decision cannot be recorded.",
            "Check log.directory."),
    RESOLVE_OWNER_ALIVE(227,
            "resolve of a transaction whose incarnation is alive (its log lock is held).",
            "Let its transaction manager decide; resolve only transactions of stopped processes."),
    RESOLVE_CORRUPT_LOG(228,
            "resolve cannot record a decision: the incarnation's log is corrupt.",
            "Resolve the branches with the resources' own tools; keep the log for analysis."),
    RESOLVE_TAKE_OVER_FAILED(229,
            "resolve cannot take over the incarnation's log (an I/O error).",
            "Check the disk and the permissions, then try again."),
    RESOLVE_WRITE_FAILED(230,
            "resolve could not write its COMMIT or FORGET record to the log; nothing more was done.",
            "Check the disk, then try again.");

    private final Entry entry;

    TmMessage(int number, String meaning, String action) {
        this.entry = new Entry(number, meaning, action);
    }

    @Override
    public Entry entry() {
        return entry;
    }

    /** The id, {@code LKS-nnn}: what a message starts with. */
    @Override
    public String toString() {
        return id();
    }
}
