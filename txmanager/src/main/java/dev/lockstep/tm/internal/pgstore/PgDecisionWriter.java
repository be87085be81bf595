package dev.lockstep.tm.internal.pgstore;

import dev.lockstep.tm.internal.DaemonThreads;
import dev.lockstep.tm.internal.coordinator.DecisionNotRecordedException;
import dev.lockstep.tm.internal.coordinator.DecisionStore;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.LogRecord;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.spi.CrashPoint;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The coordinator's decisions in the database, group-committed: committers hand their COMMIT (or HEURISTIC) to one
 * writer thread and wait; the writer takes everything that queued up meanwhile and writes it in one fenced statement,
 * one round trip and one database commit, the way the file log shares one force (invariant 1). END records are
 * queued without waiting and written in batches when the writer is idle, or every {@value #END_FLUSH_MILLIS} ms.
 *
 * <p>A lone committer writes its own statement. When nothing is queued and no statement is in flight, handing the
 * record to the writer and being woken by it would only add two thread hand-offs to the one round trip (at one
 * thread they were most of the gap to a plain insert-and-commit; docs/performance.md). So the committer takes the
 * statement lock itself, as the file log's token holder forces on its own thread. Its interrupt flag is cleared for
 * the statement and set again after, so neither the pool nor the driver sees it: a decision in flight is never
 * abandoned (PostgreSQL's driver reads a blocking socket, which an interrupt arriving later does not break). Under
 * load the queue is rarely empty or the lock is held, and committers wait for the writer's batches as before.
 *
 * <p>What a committer learns: normal return, the record is committed in the database; {@link
 * DecisionNotRecordedException}, it certainly is not (the fence refused it because the lease was lost, the statement
 * failed in the server, or no connection could be had), so the committer may presume abort, as a taker of the lease
 * does; any other {@link IOException}, the outcome is unknown and every branch is left to recovery.
 *
 * <p>A connection that breaks during the statement (the decision database fails over, the network drops) leaves the
 * batch in doubt: the server may have committed it, or may still be running it. Answering "unknown" at once would
 * leave the committers' branches prepared, holding their row locks, in a node that is alive and holds its lease, so no
 * recovery would finish them and every later transaction on those rows would wait behind them. So the writer first
 * settles the batch the way a taker settles an incarnation ({@link #settle}): on a new connection it bumps its own
 * epoch, which waits for the old statement if it still runs and fences it out if it has not started, then reads
 * whether the batch's COMMIT rows are there (one statement: all or none). The committers get a definite answer. Only
 * if the store stays unreachable for a whole lease, or the lease was taken meanwhile, is the answer "unknown".
 *
 * <p>Crash point C7 (docs/design.md section 3) is raised here, on the thread that wrote the batch (the writer, or a
 * lone committer writing its own statement), when a batch of COMMIT or HEURISTIC records is durable in the database
 * (written, or settled as written) and no committer has been told yet: the decision is durable and the application
 * never saw it. A statement cannot be torn in half as a file write can, so this is the store's C7.
 */
public final class PgDecisionWriter implements DecisionStore, AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.lockstep.tm.PgDecisionWriter");

    static final int MAX_BATCH = 512;
    static final int END_BATCH = 1024;
    static final long END_FLUSH_MILLIS = 200;
    private static final long SETTLE_RETRY_NANOS = 100_000_000L;

    private static final int WAITING = 0;
    private static final int WRITTEN = 1;
    private static final int FAILED = 2;

    private final DataSource dataSource;
    private final PgSql sql;
    /** The lease at the epoch this writer fences with; a settled write moves it to a new epoch of the same holder. */
    private volatile PgLease lease;
    private final Duration settleLimit;
    private final Consumer<String> lost;
    private final CrashPoint.Hook crashHook;
    private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<EndRecord> ends = new ConcurrentLinkedQueue<>();
    private final AtomicInteger endCount = new AtomicInteger();
    private final Thread writer;
    /** Held while a statement runs on {@link #connection}, by the writer or by a lone committer. */
    private final ReentrantLock statement = new ReentrantLock();
    /** The writer has work in hand and wants the statement lock: no committer may barge in before it. */
    private volatile boolean writerWaiting;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong recordsWritten = new AtomicLong();
    private Connection connection;
    private volatile boolean closing;
    /** Set, under the statement lock, once the writer closed its connection for good. */
    private boolean closed;

    PgDecisionWriter(DataSource dataSource, PgSql sql, PgLease lease, Duration settleLimit, String nodeId,
            Consumer<String> lost) {
        this(dataSource, sql, lease, settleLimit, nodeId, lost, CrashPoint.Hook.NONE);
    }

    /**
     * @param settleLimit how long a batch whose connection broke may take to settle (the lease length: past it another
     *     node may take the lease, and the committers have waited long enough)
     * @param lost told when a fenced write finds the lease taken over for good
     * @param crashHook told of C7 once each batch of decisions is durable, before its committers are told
     */
    PgDecisionWriter(DataSource dataSource, PgSql sql, PgLease lease, Duration settleLimit, String nodeId,
            Consumer<String> lost, CrashPoint.Hook crashHook) {
        this.lost = lost;
        this.settleLimit = settleLimit;
        this.crashHook = crashHook;
        this.dataSource = dataSource;
        this.sql = sql;
        this.lease = lease;
        this.writer = DaemonThreads.named("lockstep-decision-writer-" + nodeId).newThread(this::run);
        writer.start();
    }

    @Override
    public void recordCommit(CommitRecord record) throws IOException {
        submit(record);
    }

    @Override
    public void recordHeuristic(HeuristicRecord record) throws IOException {
        submit(record);
    }

    @Override
    public void recordEnd(byte[] gtrid) {
        ends.add(new EndRecord(gtrid));
        endCount.incrementAndGet();
    }

    /** The lease as this writer holds it now: its epoch moves on each time a broken write is settled. */
    PgLease lease() {
        return lease;
    }

    /**
     * An unknown answer is left only when the database stayed out of reach past the lease, or the lease was taken
     * meanwhile; the writer goes on with the next decision once the database answers.
     */
    @Override
    public String afterUnknownCommit() {
        return "The decision store goes on once its database answers; if this node's lease was taken meanwhile, "
                + "the node refuses new transactions (" + TmMessage.LEASE_LOST.id() + ") and another node or the recovery service finishes "
                + "its branches.";
    }

    /** Database statements that wrote decisions, and the records they wrote: their ratio is the batching. */
    public long batches() {
        return batches.get();
    }

    public long recordsWritten() {
        return recordsWritten.get();
    }

    /** Committers waiting for the writer, the one it holds while it waits for the statement lock too (for tests). */
    int waitingForWriter() {
        return queue.size() + (writerWaiting ? 1 : 0);
    }

    private void submit(LogRecord record) throws IOException {
        if (closing) {
            throw new DecisionNotRecordedException(TmMessage.STORE_OPEN_FAILED + " the decision store is closed; "
                    + "nothing was written", null);
        }
        Request r = new Request(record, Thread.currentThread());
        boolean interrupted = Thread.interrupted();
        try {
            if (!writerWaiting && queue.isEmpty() && statement.tryLock()) {
                try {
                    writeAlone(r);
                } finally {
                    statement.unlock();
                }
            } else {
                queue.add(r);
                interrupted |= awaitWriter(r);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (r.state == FAILED) {
            throw r.failure;
        }
    }

    /** A lone committer's statement, with the statement lock held. */
    private void writeAlone(Request r) throws IOException {
        if (closed) {
            throw new DecisionNotRecordedException(TmMessage.STORE_OPEN_FAILED + " the decision store is closed; "
                    + "nothing was written", null);
        }
        write(List.of(r));
    }

    /**
     * Waits for the writer's answer whatever happens to this thread: a decision in flight cannot be abandoned. Returns
     * whether an interrupt arrived meanwhile (cleared, for the caller to set again).
     */
    private boolean awaitWriter(Request r) throws IOException {
        boolean interrupted = false;
        while (r.state == WAITING) {
            LockSupport.parkNanos(this, 100_000_000L);
            interrupted |= Thread.interrupted();
            if (r.state == WAITING && !writer.isAlive() && queue.remove(r)) {
                throw new DecisionNotRecordedException(TmMessage.STORE_OPEN_FAILED + " the decision store "
                        + "closed before this decision was written; nothing was written", null);
            }
        }
        return interrupted;
    }

    private void run() {
        List<Request> batch = new ArrayList<>();
        long lastEnds = System.nanoTime();
        while (true) {
            Request first;
            try {
                first = queue.poll(END_FLUSH_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = null;
            }
            if (first != null) {
                batch.add(first);
                lockForWriter();
                try {
                    queue.drainTo(batch, MAX_BATCH - 1); // after the lock: what queued during a lone statement too
                    write(batch);
                } finally {
                    statement.unlock();
                }
                batch.clear();
            }
            boolean idle = queue.isEmpty();
            if (endCount.get() >= END_BATCH
                    || (idle && endCount.get() > 0 && System.nanoTime() - lastEnds >= END_FLUSH_MILLIS * 1_000_000)
                    || (closing && idle)) {
                lockForWriter();
                try {
                    writeEnds();
                } finally {
                    statement.unlock();
                }
                lastEnds = System.nanoTime();
            }
            if (closing && queue.isEmpty() && ends.isEmpty()) {
                lockForWriter();
                try {
                    closeConnection();
                    closed = true;
                } finally {
                    statement.unlock();
                }
                return;
            }
        }
    }

    /** Takes the statement lock for the writer, waiting at most for one lone committer's statement. */
    private void lockForWriter() {
        writerWaiting = true;
        statement.lock();
        writerWaiting = false;
    }

    /** Writes one batch in one fenced statement and answers its committers; the statement lock is held. */
    private void write(List<Request> batch) {
        List<LogRecord> records = new ArrayList<>(batch.size());
        for (Request r : batch) {
            records.add(r.record);
        }
        IOException failure = null;
        try {
            Connection c = connection();
            boolean refused = false;
            try {
                refused = !PgRecords.insert(c, sql, lease, records);
            } catch (SQLException e) {
                closeConnection();
                IOException f = classify(e, batch.size());
                failure = f instanceof DecisionNotRecordedException ? f : settle(records, f);
            }
            if (refused) {
                PgLease.Refusal refusal = lease.refusal(c, sql);
                failure = new DecisionNotRecordedException(TmMessage.LEASE_LOST + " " + refusal.why()
                        + ": this node can no longer decide; " + batch.size() + " decision(s) not written, their "
                        + "transactions roll back", null);
                LOG.log(Level.ERROR, failure.getMessage());
                if (refusal.lost()) {
                    lost.accept(failure.getMessage());
                }
            }
            if (failure == null) {
                batches.incrementAndGet();
                recordsWritten.addAndGet(records.size());
                crashHook.reached(CrashPoint.C7_MID_RECORD);
            }
        } catch (SQLException e) {
            // No connection: nothing was sent.
            failure = new DecisionNotRecordedException(TmMessage.STORE_OPEN_FAILED + " no connection to the "
                    + "decision store: " + e.getMessage() + "; " + batch.size() + " decision(s) not written", e);
        }
        for (Request r : batch) {
            r.failure = failure;
            r.state = failure == null ? WRITTEN : FAILED;
            if (r.waiter != Thread.currentThread()) {
                LockSupport.unpark(r.waiter);
            }
        }
    }

    /**
     * Settles a batch whose connection broke: bumps this holder's epoch on a new connection ({@link PgLease#refence}),
     * after which nothing more can be written at the old epoch and a statement still running has finished, then counts
     * the batch's COMMIT rows. The statement wrote all of its rows or none, so one is enough to know. Retried until
     * {@link #settleLimit}; returns null if the batch is written, {@link DecisionNotRecordedException} if it certainly
     * is not, or {@code unknown} (with the reason) if it cannot be told.
     */
    private IOException settle(List<LogRecord> records, IOException unknown) {
        List<byte[]> gtrids = new ArrayList<>();
        for (LogRecord r : records) {
            if (r instanceof CommitRecord) {
                gtrids.add(r.key().bytes());
            }
        }
        if (gtrids.isEmpty()) {
            // Heuristic records only: a gtrid may hold several, so a count cannot tell this batch's apart.
            return unknown;
        }
        long deadline = System.nanoTime() + settleLimit.toNanos();
        SQLException last = null;
        while (true) {
            try {
                Connection c = connection();
                PgLease next = lease.refence(c, sql, settleLimit);
                if (next == null) {
                    next = lease.ownBump(c, sql);
                }
                if (next == null) {
                    PgLease.Refusal refusal = lease.refusal(c, sql);
                    if (refusal.lost()) {
                        lost.accept(TmMessage.LEASE_LOST + " " + refusal.why() + ": this node can no longer decide");
                    }
                    return new IOException(unknown.getMessage() + "; it cannot be settled because " + refusal.why()
                            + ", so whoever holds the lease now finishes these transactions from what the store "
                            + "holds", unknown.getCause());
                }
                lease = next;
                boolean written = PgRecords.commitsOf(c, sql, next.incarnation(), gtrids) > 0;
                LOG.log(Level.WARNING, TmMessage.STORE_WRITE_SETTLED + " the connection to the decision store broke "
                        + "while " + records.size() + " decision(s) were being written; settled at epoch "
                        + next.epoch() + " of incarnation " + next.incarnation() + ": " + (written ? "they are "
                        + "recorded" : "they are not recorded, their transactions roll back"));
                return written ? null : new DecisionNotRecordedException(TmMessage.STORE_WRITE_SETTLED + " the "
                        + "connection to the decision store broke while " + records.size() + " decision(s) were "
                        + "being written (" + unknown.getCause() + "); the store, settled at epoch " + next.epoch()
                        + ", does not hold them: nothing was written", unknown.getCause());
            } catch (SQLException e) {
                closeConnection();
                last = e;
            }
            if (System.nanoTime() >= deadline) {
                return new IOException(unknown.getMessage() + "; it could not be settled within "
                        + settleLimit.toMillis() + " ms (last error: " + last.getMessage() + ")", unknown.getCause());
            }
            LockSupport.parkNanos(SETTLE_RETRY_NANOS);
        }
    }

    /**
     * A statement that failed in the server (an SQLState of its own) was rolled back with its autocommit transaction:
     * not recorded. A broken connection (class 08, or the driver's recoverable and connection exceptions) may have
     * lost the reply to a commit that happened: unknown.
     */
    private static IOException classify(SQLException e, int n) {
        String state = e.getSQLState();
        boolean connectionLost = state == null || state.startsWith("08") || e instanceof SQLRecoverableException
                || e instanceof SQLTransientConnectionException;
        if (connectionLost) {
            return new IOException("the connection to the decision store broke while " + n + " decision(s) were being "
                    + "written (" + e.getMessage() + "): they may or may not be recorded", e);
        }
        return new DecisionNotRecordedException("the decision store refused " + n + " decision(s) (" + e.getMessage()
                + "): nothing was written", e);
    }

    private void writeEnds() {
        List<EndRecord> batch = new ArrayList<>();
        EndRecord e;
        while (batch.size() < END_BATCH && (e = ends.poll()) != null) {
            batch.add(e);
        }
        if (batch.isEmpty()) {
            return;
        }
        endCount.addAndGet(-batch.size());
        try {
            PgRecords.end(connection(), sql, lease, batch);
        } catch (SQLException ex) {
            closeConnection();
            // An END written twice deletes nothing more, so a batch whose connection broke is simply tried again at
            // the next flush: after a failover the table empties as usual, and a clean stop can still retire the
            // incarnation. At close it is dropped: a lost END only costs recovery a look at a finished transaction.
            boolean retry = !closing;
            if (retry) {
                ends.addAll(batch);
                endCount.addAndGet(batch.size());
            }
            LOG.log(Level.WARNING, TmMessage.STORE_END_WRITE_FAILED + " " + batch.size() + " END record(s) not "
                    + "written" + (retry ? " (tried again at the next flush)" : "") + ": " + ex.getMessage());
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = dataSource.getConnection();
            c.setAutoCommit(true);
            connection = c;
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // The pool replaces it; nothing of ours was pending on it.
            }
            connection = null;
        }
    }

    /** Writes what is queued (every END too) and stops the writer. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One waiting committer. */
    private static final class Request {
        final LogRecord record;
        final Thread waiter;
        volatile int state = WAITING;
        IOException failure;

        Request(LogRecord record, Thread waiter) {
            this.record = record;
            this.waiter = waiter;
        }
    }
}
