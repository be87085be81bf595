package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.internal.DaemonThreads;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogRecord;
import dev.lockstep.tm.log.RecordCodec;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The file side of one incarnation's log: appends batches to the current segment, rolls to the next one, relocates
 * old open decisions and deletes segments nobody needs (DESIGN.md invariant 9). Only the holder of the writer token
 * in {@link DecisionLog} calls it, one thread at a time, outside the append lock.
 *
 * <p>Ordering rules the reader relies on: a full segment is forced before the next one gets its first record, so an
 * intact frame in a later segment proves that everything before it was complete; a segment is deleted only after a
 * force, so every END that released it is durable first.
 */
final class SegmentWriter implements Closeable {

    private static final System.Logger LOG = System.getLogger("dev.lockstep.tm.log");

    /** One framed record inside a batch buffer. */
    record Entry(LogRecord record, byte[] frame, int offset) {
    }

    private final LogStorage storage;
    private final Path nodeDir;
    private final long incarnation;
    private final long segmentBytes;
    private final boolean reclaims;
    private final LiveDecisions live = new LiveDecisions();
    private final TreeSet<Long> segmentsOnDisk = new TreeSet<>();

    private LogChannel channel;
    /**
     * The next segment, created, zero-filled and forced ahead of time by a background thread once the current one is
     * half full, so that a roll does not stall every committer behind the zero-fill of a whole segment (16 MiB by
     * default; it showed as a p99.9 spike of tens of milliseconds). Null when none is being prepared. The file has
     * its final name from the start: an empty segment after the current one is what a roll leaves anyway, and the
     * reader treats it as the end of the data.
     */
    private CompletableFuture<LogChannel> next;
    private ExecutorService preparer;
    private long segment;
    private Path segmentPath;
    private long position;
    private boolean dirty;
    // What the writer is doing, kept as parts and put into words only when a failure asks (operation()): the hot path
    // writes and forces once per batch and must not build a message each time.
    private volatile String operationVerb = "start";
    private volatile Path operationFile;
    private volatile long operationBytes = -1;
    private volatile long operationOffset;

    final AtomicLong forces = new AtomicLong();
    final AtomicLong bytesWritten = new AtomicLong();
    final AtomicLong rolls = new AtomicLong();
    final AtomicLong segmentsCreated = new AtomicLong();
    final AtomicLong segmentsDeleted = new AtomicLong();
    final AtomicLong recordsRelocated = new AtomicLong();
    final AtomicLong reclaimFailures = new AtomicLong();
    private int reclaimStreak;
    private int reclaimBackoff;
    volatile int liveDecisions;
    volatile int segmentFiles;

    SegmentWriter(LogStorage storage, Path nodeDir, long incarnation, long segmentBytes) {
        this(storage, nodeDir, incarnation, segmentBytes, true);
    }

    /**
     * @param reclaims false for a recovery appending to a dead incarnation's log: the decisions its records close
     *     live in segments this writer did not write and does not track, so it must never delete a segment
     */
    SegmentWriter(LogStorage storage, Path nodeDir, long incarnation, long segmentBytes, boolean reclaims) {
        this.storage = storage;
        this.nodeDir = nodeDir;
        this.incarnation = incarnation;
        this.segmentBytes = segmentBytes;
        this.reclaims = reclaims;
    }

    /** Creates the first segment. */
    void start() throws IOException {
        createSegment(1);
    }

    /** Creates segment {@code number} as the first one this writer appends to (after the segments on disk). */
    void startAt(long number) throws IOException {
        createSegment(number);
    }

    /** What the writer was doing, for the message of a failure. */
    String operation() {
        Path file = operationFile;
        if (file == null) {
            return operationVerb;
        }
        long bytes = operationBytes;
        return bytes < 0 ? operationVerb + " " + file
                : operationVerb + " " + bytes + " bytes to " + file + " at offset " + operationOffset;
    }

    private void operation(String verb, Path file) {
        operationVerb = verb;
        operationFile = file;
        operationBytes = -1;
    }

    /** Writes the frames of {@code entries}, which sit back to back in {@code batch} (flipped). */
    void write(ByteBuffer batch, List<Entry> entries) throws IOException {
        int i = 0;
        while (i < entries.size()) {
            int first = entries.get(i).frame().length;
            if (position + first > segmentBytes && position > RecordCodec.SEGMENT_HEADER_BYTES) {
                roll();
            }
            // Take as many frames as fit; always at least one (a huge record grows an empty segment).
            long room = segmentBytes - position;
            int j = i + 1;
            long length = first;
            while (j < entries.size() && length + entries.get(j).frame().length <= room) {
                length += entries.get(j).frame().length;
                j++;
            }
            int from = entries.get(i).offset();
            writeFully(batch.duplicate().limit(from + (int) length).position(from));
            for (int k = i; k < j; k++) {
                Entry e = entries.get(k);
                live.apply(e.record(), e.frame(), segment);
            }
            i = j;
        }
        liveDecisions = live.size();
        if (reclaims && next == null && position > segmentBytes / 2) {
            prepareNext();
        }
    }

    private void prepareNext() {
        if (preparer == null) {
            preparer = Executors.newSingleThreadExecutor(
                    DaemonThreads.named("lockstep-log-segment-" + nodeDir.getFileName()));
        }
        long number = segment + 1;
        Path file = segmentFile(number);
        next = CompletableFuture.supplyAsync(() -> {
            try {
                LogChannel ch = storage.createSegment(file, RecordCodec.segmentHeader(incarnation, number),
                        segmentBytes);
                storage.forceDirectory(nodeDir);
                return ch;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, preparer);
    }

    /** Forces what was written since the last force; a no-op if nothing was. */
    void force() throws IOException {
        if (dirty) {
            operation("force of", segmentPath);
            channel.force();
            forces.incrementAndGet();
            dirty = false;
        }
    }

    /**
     * {@link #reclaim()} right after a successful {@link #force()}, as housekeeping that never fails the batch: the
     * batch's records are durable already. A failure is logged (LKS-181) and counted, and reclamation is tried again
     * after 1, 2, 4 ... up to 1024 further forces, so a directory that keeps refusing costs a few system calls, not
     * one set per batch; what it could not delete stays on disk (and, until then, pinned by nothing).
     */
    void reclaimAfterForce() {
        if (reclaimBackoff > 0) {
            reclaimBackoff--;
            return;
        }
        try {
            reclaim();
            reclaimStreak = 0;
        } catch (IOException | RuntimeException e) {
            reclaimFailures.incrementAndGet();
            reclaimStreak = Math.min(reclaimStreak + 1, 10);
            reclaimBackoff = 1 << (reclaimStreak - 1);
            LOG.log(System.Logger.Level.WARNING, "LKS-181 reclaiming old segments of " + nodeDir + " failed at "
                    + operation() + ": " + e + "; the records already forced are safe and nothing else changes; "
                    + "tried again after " + reclaimBackoff + " more force(s); check the disk and the directory's "
                    + "permissions if this repeats");
        }
    }

    /**
     * Deletes every older segment that no open decision pins. Call only right after {@link #force()}, so the records
     * that released those segments are durable.
     */
    void reclaim() throws IOException {
        if (!reclaims) {
            return;
        }
        List<Long> free = new ArrayList<>();
        for (Long s : segmentsOnDisk) {
            if (s != segment && live.pins(s) == 0) {
                free.add(s);
            }
        }
        if (free.isEmpty()) {
            return;
        }
        for (Long s : free) {
            Path file = segmentFile(s);
            operation("delete of", file);
            storage.delete(file);
            segmentsOnDisk.remove(s);
            segmentsDeleted.incrementAndGet();
        }
        operation("force of directory", nodeDir);
        storage.forceDirectory(nodeDir);
        segmentFiles = segmentsOnDisk.size();
    }

    /**
     * Moves to the next segment: forces the full one, creates the next, and copies into it the open decisions that
     * still sit in segments older than the one just filled, so those can be deleted after the next force and the
     * number of files stays bounded (about three) even when a few decisions never end.
     *
     * <p>Copies are capped at a quarter of a segment per roll, oldest first: when many decisions are open at once,
     * copying all of them on every roll would write the same bytes again and again; then the files that hold them
     * stay, and disk use grows with the open decisions, not with the load.
     */
    private void roll() throws IOException {
        force();
        rolls.incrementAndGet();
        operation("close of", segmentPath);
        channel.close();
        channel = null;
        createSegment(segment + 1);
        if (!reclaims) {
            return;
        }
        List<LiveDecisions.Decision> candidates = live.pinnedBelow(segment - 1);
        candidates.sort((a, b) -> Long.compare(a.firstSegment(), b.firstSegment()));
        long budget = segmentBytes / 4;
        List<LiveDecisions.Decision> moved = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        long bytes = 0;
        for (LiveDecisions.Decision d : candidates) {
            List<byte[]> own = d.frames();
            long size = own.stream().mapToLong(f -> f.length).sum();
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            frames.addAll(own);
            moved.add(d);
        }
        if (moved.isEmpty()) {
            return;
        }
        ByteBuffer copies = ByteBuffer.allocate((int) bytes);
        frames.forEach(copies::put);
        writeFully(copies.flip());
        for (LiveDecisions.Decision d : moved) {
            live.relocated(d, segment);
        }
        recordsRelocated.addAndGet(frames.size());
    }

    private void createSegment(long number) throws IOException {
        Path file = segmentFile(number);
        operation("creation of", file);
        LogChannel prepared = takePrepared(file);
        // A prepared segment was created, forced, and its directory entry forced by the preparer.
        channel = prepared != null ? prepared
                : storage.createSegment(file, RecordCodec.segmentHeader(incarnation, number), segmentBytes);
        segment = number;
        segmentPath = file;
        position = RecordCodec.SEGMENT_HEADER_BYTES;
        segmentsOnDisk.add(number);
        segmentsCreated.incrementAndGet();
        segmentFiles = segmentsOnDisk.size();
        if (prepared == null) {
            operation("force of directory", nodeDir);
            storage.forceDirectory(nodeDir);
        }
    }

    /**
     * The prepared next segment if there is one, waiting for its preparation to finish; null if none was prepared.
     * A failed preparation is reported as the creation's failure, after its partial file is removed.
     */
    private LogChannel takePrepared(Path file) throws IOException {
        CompletableFuture<LogChannel> f = next;
        if (f == null) {
            return null;
        }
        next = null;
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            try {
                storage.delete(file);
            } catch (IOException | RuntimeException ignored) {
                // the creation failed already; that failure is the one to report
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("preparing " + file + " failed: " + cause, cause);
        }
    }

    private void writeFully(ByteBuffer src) throws IOException {
        int length = src.remaining();
        operationVerb = "write of";
        operationFile = segmentPath;
        operationBytes = length;
        operationOffset = position;
        while (src.hasRemaining()) {
            position += channel.write(src, position);
        }
        dirty = true;
        bytesWritten.addAndGet(length);
    }

    private Path segmentFile(long number) {
        return nodeDir.resolve(LogLayout.segmentFileName(incarnation, number));
    }

    /**
     * Deletes every segment of this incarnation and {@code lockFile}, after a replay of what is on disk proves that no
     * decision is open; fails and deletes nothing otherwise. The caller holds the lock and releases it afterwards.
     */
    void retire(Path lockFile) throws IOException {
        close();
        List<Path> segments = LogLayout.segmentsIn(storage.list(nodeDir), incarnation);
        dev.lockstep.tm.log.ReplayResult check = dev.lockstep.tm.log.LogReader.replay(segments, incarnation,
                file -> LogFiles.readAll(storage, file));
        if (!check.nothingPending()) {
            throw new IllegalStateException("incarnation " + incarnation + " in " + nodeDir + " still has "
                    + check.pending().size() + " open decision(s); it is not retired");
        }
        for (Path segment : segments) {
            operation("delete of", segment);
            storage.delete(segment);
        }
        operation("delete of", lockFile);
        storage.delete(lockFile);
        operation("force of directory", nodeDir);
        storage.forceDirectory(nodeDir);
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
        discardPrepared();
    }

    /** Closes and deletes a prepared next segment nobody wrote to (best effort: an empty segment is harmless). */
    private void discardPrepared() {
        CompletableFuture<LogChannel> f = next;
        next = null;
        if (f != null) {
            try {
                LogChannel ch = f.join();
                ch.close();
                storage.delete(segmentFile(segment + 1));
            } catch (IOException | RuntimeException ignored) {
                // left on disk: the next start or recovery treats an empty segment as the end of the data
            }
        }
        if (preparer != null) {
            preparer.shutdown();
            preparer = null;
        }
    }
}
