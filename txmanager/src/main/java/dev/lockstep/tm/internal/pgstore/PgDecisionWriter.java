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
 * does; any other {@link IOException}, the connection broke while the statement may have committed, so the outcome
 * is unknown and every branch is left to recovery.
 *
 * <p>Crash point C7 (docs/design.md section 3) is raised here, on the thread that wrote the batch (the writer, or a
 * lone committer writing its own statement), when a batch of COMMIT or HEURISTIC records has been committed in the
 * database and no committer has been told yet: the decision is durable and the application never saw it. A statement
 * cannot be torn in half as a file write can, so this is the store's C7.
 */
public final class PgDecisionWriter implements DecisionStore, AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.lockstep.tm.PgDecisionWriter");

    static final int MAX_BATCH = 512;
    static final int END_BATCH = 1024;
    static final long END_FLUSH_MILLIS = 200;

    private static final int WAITING = 0;
    private static final int WRITTEN = 1;
    private static final int FAILED = 2;

    private final DataSource dataSource;
    private final PgSql sql;
    private final PgLease lease;
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

    PgDecisionWriter(DataSource dataSource, PgSql sql, PgLease lease, String nodeId) {
        this(dataSource, sql, lease, nodeId, reason -> { }, CrashPoint.Hook.NONE);
    }

    /**
     * @param lost told when a fenced write finds the lease taken over for good
     * @param crashHook told of C7 after each batch of decisions committed, before its committers are woken
     */
    PgDecisionWriter(DataSource dataSource, PgSql sql, PgLease lease, String nodeId, Consumer<String> lost,
            CrashPoint.Hook crashHook) {
        this.lost = lost;
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
            boolean written;
            try {
                written = PgRecords.insert(c, sql, lease, records);
            } catch (SQLException e) {
                closeConnection();
                failure = classify(e, batch.size());
                written = false;
            }
            if (failure == null && !written) {
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
            // A lost END only costs recovery a look at a finished transaction; it never changes an outcome.
            LOG.log(Level.WARNING, TmMessage.STORE_END_WRITE_FAILED + " " + batch.size() + " END record(s) not "
                    + "written: " + ex.getMessage());
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
