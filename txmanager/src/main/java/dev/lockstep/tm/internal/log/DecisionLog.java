package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.internal.coordinator.DecisionNotRecordedException;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.ForgetRecord;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.LogRecord;
import dev.lockstep.tm.log.RecordCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The decision log writer of one incarnation of one node.
 *
 * <h2>Group commit (invariant 10, docs/log-format.md)</h2>
 * Leader/follower, with no writer thread of its own, so a lone committer never hands its record to another thread:
 * <ol>
 * <li>An appender encodes its record, and under a short lock copies the frame into the shared pending buffer and gets
 * a sequence number.</li>
 * <li>{@code awaitDurable(seq)}: while the durable sequence is below {@code seq}, the caller either takes the free
 * writer token, or parks in the waiter queue. The token holder swaps the pending buffer with a spare under the lock,
 * then writes and forces <em>outside</em> it (appenders keep appending into the new buffer meanwhile), publishes the
 * durable sequence and wakes exactly the waiters whose records it made durable, plus the oldest waiter left, who takes
 * the token for the next batch. Records appended during a force all ride the next one: concurrent committers share
 * forces, a single committer pays exactly one force per record.</li>
 * <li>Only the token holder does file I/O: segment rolls and reclamation happen in {@link SegmentWriter} on its
 * thread.</li>
 * </ol>
 * END records are appended and not waited for (invariant 9); they reach the disk with the next batch, or when the
 * owner's housekeeping timer calls {@link #flush(boolean)} (every second is the intent).
 *
 * <h2>Failure</h2>
 * A failed write or force poisons the log for good. The callers whose records were in the failed batch (or written
 * but not yet forced by an earlier one) get a {@link LogFailedException} with the original cause: their records may or
 * may not be durable. A caller whose record certainly reached no storage gets a {@link DecisionNotRecordedException}
 * (the contract of {@link dev.lockstep.tm.internal.coordinator.DecisionStore#recordCommit}): it was appended after the
 * failed batch was taken, or after the failure or close, or it cannot be encoded. The batch is never retried: after a
 * failed fsync the kernel may have dropped the dirty pages, so a second fsync that succeeds proves nothing.
 *
 * <p>Reclaiming old segments after a force is housekeeping, not part of the batch: the batch's records are durable
 * once the force returned, so a failed delete or directory force there is logged (TmMessage.RECLAIM_FAILED),
 * counted, and tried again a few forces later; it never fails the batch or poisons the log (a disk that is really
 * failing fails the next force anyway).
 */
public final class DecisionLog implements AutoCloseable {

    private final LogSettings settings;
    private final long incarnation;
    private final SegmentWriter writer;
    private final List<LogStorage.LockHandle> locks;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock:
    // Each batch buffer starts with the bytes of its MARK frame, reserved here and filled by the token holder
    // (SegmentWriter.write), so a batch is still one copy and one write.
    private ByteBuffer pending = emptyBatch(64 * 1024);
    private ByteBuffer spare = emptyBatch(64 * 1024);
    private List<SegmentWriter.PlacedFrame> pendingEntries = new ArrayList<>();
    private List<SegmentWriter.PlacedFrame> spareEntries = new ArrayList<>();
    private long appendedSeq;
    private volatile long writtenSeq;
    private volatile long durableSeq;
    private boolean tokenHeld;
    private boolean closing;
    private boolean released;
    private volatile LogFailedException failure;
    /** The last sequence number of the batch whose write or force failed: later records were never written. */
    private volatile long failedBatchEnd;
    /** The token holder was interrupted while it waited for a fuller batch; it takes this back after the batch. */
    private boolean batchWaitInterrupted;
    /** Callers parked until their record is written or forced, oldest first. */
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    private final AtomicLong records = new AtomicLong();
    /** Told of every forced batch, or null (no listener): then no clock is read around the force. */
    private volatile ForceObserver forceObserver;

    /** Told of each batch written and forced, on the thread that forced it; must not block and should not throw. */
    @FunctionalInterface
    public interface ForceObserver {
        /**
         * @param records the records of the batch
         * @param bytes the bytes written
         * @param nanos the time of the write and the force
         */
        void forced(int records, long bytes, long nanos);
    }
    private final Map<FlushReason, AtomicLong> flushes = new EnumMap<>(FlushReason.class);

    DecisionLog(LogSettings settings, long incarnation, SegmentWriter writer, List<LogStorage.LockHandle> locks) {
        this.settings = settings;
        this.incarnation = incarnation;
        this.writer = writer;
        this.locks = List.copyOf(locks);
        for (FlushReason r : FlushReason.values()) {
            flushes.put(r, new AtomicLong());
        }
    }

    /**
     * Opens the log of {@code settings.nodeId()} as a new incarnation and looks at the older ones; see
     * {@link LogOpener} for the steps. Fails with {@link LogLockedException} if another owner holds the node, and
     * with a {@link dev.lockstep.tm.log.CorruptLogException} if an older incarnation's log is corrupt.
     */
    public static OpenedLog open(LogSettings settings, LogStorage storage) throws IOException {
        return new LogOpener(settings, storage).open();
    }

    /**
     * For tests only: as {@link #open}, with segments of any size (a short run crosses many rolls) and the next one
     * prepared on {@code prepareIn} (a direct executor makes the order of storage operations repeatable).
     */
    public static OpenedLog open(LogSettings settings, LogStorage storage, long segmentBytes,
            java.util.concurrent.Executor prepareIn) throws IOException {
        return open(settings, storage, segmentBytes, prepareIn, RecordCodec.FORMAT_VERSION);
    }

    /**
     * For tests only: as {@link #open(LogSettings, LogStorage, long, java.util.concurrent.Executor)}, writing segments
     * of format {@code formatVersion}: {@link RecordCodec#VERSION_ZEROED} writes the logs of earlier releases
     * (zero-filled, never recycled), so every test of the log runs on both versions.
     */
    public static OpenedLog open(LogSettings settings, LogStorage storage, long segmentBytes,
            java.util.concurrent.Executor prepareIn, int formatVersion) throws IOException {
        return new LogOpener(settings, storage, segmentBytes, prepareIn, formatVersion).open();
    }

    private static ByteBuffer emptyBatch(int capacity) {
        return ByteBuffer.allocate(capacity).position(RecordCodec.MARK_FRAME_BYTES);
    }

    /** Sets who is told of each forced batch (for events; null: nobody). */
    public void observeForces(ForceObserver observer) {
        this.forceObserver = observer;
    }

    /** The incarnation number this log writes; it goes into every XID of this process start. */
    public long incarnation() {
        return incarnation;
    }

    /** Appends the COMMIT decision and returns once it is forced. */
    public void writeCommit(CommitRecord record) throws IOException {
        appendAndAwaitDurable(record);
    }

    /** Appends a heuristic outcome and returns once it is forced. */
    public void writeHeuristic(HeuristicRecord record) throws IOException {
        appendAndAwaitDurable(record);
    }

    /** Appends an operator's FORGET and returns once it is forced. */
    public void writeForget(ForgetRecord record) throws IOException {
        appendAndAwaitDurable(record);
    }

    /** Appends an END and returns at once; it reaches the disk with the next batch or flush. */
    public void writeEnd(EndRecord record) throws IOException {
        byte[] frame = encode(record);
        long seq;
        boolean full;
        lock.lock();
        try {
            seq = appendLocked(record, frame);
            full = pending.position() >= settings.policy().maxBatchBytes() && !tokenHeld;
        } finally {
            lock.unlock();
        }
        if (full) {
            await(seq, false, FlushReason.BATCH_FULL);
        }
    }

    /** Appends and waits until forced, under one acquisition of the lock when no wait is needed. */
    private void appendAndAwaitDurable(LogRecord record) throws IOException {
        byte[] frame = encode(record);
        lock.lock();
        long seq;
        try {
            seq = appendLocked(record, frame);
        } catch (IOException | RuntimeException e) {
            lock.unlock();
            throw e;
        }
        awaitFromLocked(seq, true, FlushReason.COMMIT_WAIT);
    }

    /** Writes everything appended so far, and forces it if {@code force}; for the owner's housekeeping timer. */
    public void flush(boolean force) throws IOException {
        long target;
        lock.lock();
        try {
            target = appendedSeq;
        } finally {
            lock.unlock();
        }
        await(target, force, FlushReason.HOUSEKEEPING);
    }

    private byte[] encode(LogRecord record) throws DecisionNotRecordedException {
        try {
            return RecordCodec.frame(record);
        } catch (IllegalArgumentException e) {
            throw new DecisionNotRecordedException("decision log of node '" + settings.nodeId() + "': the record "
                    + "cannot be encoded, nothing was written: " + e.getMessage(), e);
        }
    }

    /** Called with the lock held: copies the frame into the pending batch and returns its sequence number. */
    private long appendLocked(LogRecord record, byte[] frame) throws IOException {
        checkUsable();
        if (pending.remaining() < frame.length) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position()
                    + frame.length));
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
        pendingEntries.add(new SegmentWriter.PlacedFrame(record, frame, pending.position()));
        pending.put(frame);
        records.incrementAndGet();
        if (tokenHeld && pending.position() >= settings.policy().maxBatchBytes()) {
            changed.signalAll(); // a token holder waiting for a fuller batch can stop waiting
        }
        return ++appendedSeq;
    }

    private void checkUsable() throws IOException {
        if (failure != null) {
            throw notRecorded(new LogFailedException(failure.where(), failure.getCause()));
        }
        if (closing) {
            throw new DecisionNotRecordedException("decision log of node '" + settings.nodeId() + "' incarnation "
                    + incarnation + " is closed; the record was not written: no record can be written after close",
                    null);
        }
    }

    /** For a record that the failed log never wrote; keeps the failure's wording and cause. */
    private static DecisionNotRecordedException notRecorded(LogFailedException failure) {
        return new DecisionNotRecordedException("the record was not written (nothing of it reached the disk): "
                + failure.getMessage(), failure);
    }

    /** The failure as the waiter for {@code seq} sees it: certain for a record never written, unknown otherwise. */
    private IOException failureFor(long seq) {
        LogFailedException e = new LogFailedException(failure.where(), failure.getCause());
        return seq > failedBatchEnd ? notRecorded(e) : e;
    }

    /**
     * One caller parked in {@link #await}. Woken by a token holder once its record is done, or to take the token; it
     * then checks for itself. Waking only those (not everyone, as a condition's signalAll would) matters: with many
     * committers every needless wake-up is a futex call and a trip through the lock.
     */
    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        final long seq;
        final boolean force;
        /** The wake-up this waiter was taken into; null while it waits. */
        volatile Wakeup wakeup;

        Waiter(long seq, boolean force) {
            this.seq = seq;
            this.force = force;
        }
    }

    /**
     * The waiters one batch finished. Unparking is a system call each; the token holder starts, and every waiter it
     * wakes takes the next ones still asleep, so the calls spread over the cores instead of queueing on one thread.
     */
    private static final class Wakeup {
        private final Waiter[] waiters;
        private final int count;
        private final AtomicInteger next = new AtomicInteger();

        Wakeup(Waiter[] waiters, int count) {
            this.waiters = waiters;
            this.count = count;
        }

        void help() {
            int i;
            while ((i = next.getAndIncrement()) < count) {
                LockSupport.unpark(waiters[i].thread);
            }
        }
    }

    /** Returns once every record up to {@code seq} is written (and forced, if {@code force}). */
    private void await(long seq, boolean force, FlushReason reason) throws IOException {
        lock.lock();
        awaitFromLocked(seq, force, reason);
    }

    /**
     * As {@link #await}, entered with the lock held (it is released before this returns or throws).
     *
     * <p>The caller's interrupt flag is cleared for the wait and set again on the way out: a record in flight (a COMMIT
     * decision above all) cannot be abandoned, a set flag makes {@code LockSupport.park} return at once (a parked
     * waiter would spin), and a token holder with the flag set would have its segment's channel closed under it by
     * the first write (an interruptible channel), poisoning the log for every committer.
     */
    private void awaitFromLocked(long seq, boolean force, FlushReason reason) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            interrupted |= awaitUninterruptibly(seq, force, reason);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The wait itself. Returns whether an interrupt arrived meanwhile (cleared here, set again by the caller); if it
     * throws, it sets such an interrupt again first. It allocates nothing of its own: with a lone committer it runs
     * once per transaction.
     */
    private boolean awaitUninterruptibly(long seq, boolean force, FlushReason reason) throws IOException {
        boolean interrupted = false;
        boolean locked = true;
        try {
            while (true) {
                Waiter parked = null;
                Wakeup wake = null;
                if (!locked) {
                    lock.lock();
                }
                locked = false;
                try {
                    if (done(seq, force)) {
                        return interrupted;
                    }
                    if (failure != null) {
                        throw failureFor(seq);
                    }
                    if (!tokenHeld) {
                        tokenHeld = true;
                        wake = writeBatch(force, reason);
                        interrupted |= batchWaitInterrupted;
                        batchWaitInterrupted = false;
                    } else {
                        parked = new Waiter(seq, force);
                        waiters.add(parked);
                    }
                } finally {
                    lock.unlock();
                }
                if (parked == null) {
                    if (wake != null) {
                        wake.help(); // outside the lock, so that appenders are not held up by the futex calls
                    }
                    continue;
                }
                while (parked.wakeup == null) {
                    LockSupport.park(this);
                    interrupted |= Thread.interrupted(); // a set flag would make park return at once: a spin
                }
                parked.wakeup.help();
                if (done(seq, force)) {
                    return interrupted; // the common case: no second trip through the lock
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
    }

    private boolean done(long seq, boolean force) {
        return (force ? durableSeq : writtenSeq) >= seq;
    }

    /**
     * Called with the lock held and the token taken; gives the token back, returns with the lock held and the waiters
     * to unpark once it is released.
     */
    private Wakeup writeBatch(boolean force, FlushReason reason) {
        Throwable error = null;
        ByteBuffer batch = null;
        List<SegmentWriter.PlacedFrame> entries = null;
        long batchEnd = 0;
        try {
            waitForFullerBatch(force);
            batch = pending;
            entries = pendingEntries;
            pending = spare;
            pendingEntries = spareEntries;
            batchEnd = appendedSeq;
            lock.unlock();
            try {
                batch.flip();
                ForceObserver observer = forceObserver;
                int batchRecords = entries.size();
                long batchBytes = batch.remaining();
                long t0 = observer == null ? 0 : System.nanoTime();
                writer.write(batch, entries);
                if (force) {
                    writer.force();
                    if (observer != null) {
                        tellForced(observer, batchRecords, batchBytes, System.nanoTime() - t0);
                    }
                    writer.reclaimAfterForce(); // never throws: see "Failure" in the class comment
                }
            } catch (Throwable t) {
                error = t;
            } finally {
                lock.lock();
            }
        } finally {
            if (batch != null) {
                batch.clear().position(RecordCodec.MARK_FRAME_BYTES);
                entries.clear();
                spare = batch;
                spareEntries = entries;
            }
            tokenHeld = false;
            if (error != null) {
                failedBatchEnd = batch != null ? batchEnd : writtenSeq;
                failure = new LogFailedException(writer.operation(), error);
            } else if (batch != null) {
                writtenSeq = batchEnd;
                if (force) {
                    durableSeq = batchEnd;
                }
                flushes.get(reason).incrementAndGet();
            }
            changed.signalAll(); // close() and retire() wait on the condition for the token
        }
        return finishedWaiters();
    }

    /** An observer that throws must not count as a failed force: the batch is durable. */
    private static void tellForced(ForceObserver observer, int records, long bytes, long nanos) {
        try {
            observer.forced(records, bytes, nanos);
        } catch (RuntimeException e) {
            System.getLogger("dev.lockstep.tm.events").log(System.Logger.Level.DEBUG, "a force observer threw", e);
        }
    }

    /**
     * Called with the lock held, the token just given back: takes out of the queue every waiter whose record is now
     * done (all of them after a failure, to see it), and the oldest of the rest, who takes the token for the next batch.
     */
    private Wakeup finishedWaiters() {
        int n = waiters.size();
        if (n == 0) {
            return null;
        }
        Waiter[] wake = new Waiter[n];
        int count = 0;
        boolean leaderChosen = false;
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            boolean finished = failure != null || done(w.seq, w.force);
            if (finished || !leaderChosen) {
                leaderChosen |= !finished;
                it.remove();
                wake[count++] = w;
            }
        }
        Wakeup wakeup = new Wakeup(wake, count);
        for (int i = 0; i < count; i++) {
            wake[i].wakeup = wakeup; // the thread may see it before its unpark, and go on
        }
        return wakeup;
    }

    private void waitForFullerBatch(boolean force) {
        long waitNanos = settings.policy().maxWait().toNanos();
        if (!force || waitNanos == 0) {
            return;
        }
        long deadline = System.nanoTime() + waitNanos;
        long left = waitNanos;
        while (left > 0 && pending.position() < settings.policy().maxBatchBytes()) {
            try {
                changed.awaitNanos(left);
            } catch (InterruptedException e) {
                batchWaitInterrupted = true; // set again by awaitFromLocked, after the write: see there
                return;
            }
            left = deadline - System.nanoTime();
        }
    }

    /** The failure that poisoned the log (a write or force failed), or null while it records decisions. */
    public LogFailedException failure() {
        return failure;
    }

    /** A snapshot of the counters. */
    public LogStats stats() {
        Map<FlushReason, Long> byReason = new EnumMap<>(FlushReason.class);
        flushes.forEach((r, n) -> byReason.put(r, n.get()));
        byReason.put(FlushReason.ROLL, writer.rolls.get());
        return new LogStats(writer.forces.get(), records.get(), writer.bytesWritten.get(), byReason,
                writer.segmentsCreated.get(), writer.segmentsDeleted.get(), writer.segmentsRecycled.get(),
                writer.recordsRelocated.get(),
                writer.liveDecisions, writer.segmentFiles, writer.reclaimFailures.get());
    }

    /** Writes and forces what is pending, then releases the node and incarnation locks. Idempotent. */
    @Override
    public void close() throws IOException {
        long target = startClosing();
        if (target < 0) {
            return;
        }
        IOException flushError = null;
        try {
            await(target, true, FlushReason.CLOSE);
        } catch (IOException e) {
            flushError = e;
        }
        release(flushError);
    }

    /**
     * For a log taken over by recovery ({@link LogTakeover}), once nothing in it is open: forces what is pending, then
     * deletes the incarnation's segments and lock file, forces the directory and releases the lock. Fails, deleting
     * nothing but still releasing the lock, if a replay of the files finds an open decision.
     */
    public void retire() throws IOException {
        long target = startClosing();
        if (target < 0) {
            throw new IllegalStateException(this + " is closed");
        }
        IOException error = null;
        try {
            await(target, true, FlushReason.CLOSE);
            waitForToken();
            writer.retire(locks.get(locks.size() - 1).file());
        } catch (IOException e) {
            error = e;
        } catch (RuntimeException e) {
            error = new IOException(e.getMessage(), e);
        }
        release(error);
        if (error != null) {
            throw error;
        }
    }

    /** Refuses new records from now on; returns the last sequence to make durable, or -1 if already closing. */
    private long startClosing() {
        lock.lock();
        try {
            if (closing) {
                return -1;
            }
            closing = true;
            return appendedSeq;
        } finally {
            lock.unlock();
        }
    }

    private void waitForToken() {
        lock.lock();
        try {
            while (tokenHeld) {
                changed.awaitUninterruptibly();
            }
            released = true;
        } finally {
            lock.unlock();
        }
    }

    private void release(IOException flushError) throws IOException {
        IOException error = flushError;
        waitForToken();
        if (error == null && failure == null) { // a retirement closed the writer already: nothing to seal
            try {
                writer.sealAtClose();
            } catch (IOException e) {
                error = e;
            }
        }
        try {
            writer.close();
        } catch (IOException e) {
            error = addTo(error, e);
        }
        for (int i = locks.size() - 1; i >= 0; i--) {
            try {
                locks.get(i).close();
            } catch (IOException e) {
                error = addTo(error, e);
            }
        }
        if (error != null && failure == null) {
            throw error;
        }
    }

    private static IOException addTo(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    @Override
    public String toString() {
        return "DecisionLog[node=" + settings.nodeId() + ", incarnation=" + incarnation + ", dir="
                + settings.logDirectory() + ", released=" + released + "]";
    }
}
