package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.internal.DaemonThreads;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogManifest;
import dev.lockstep.tm.log.LogRecord;
import dev.lockstep.tm.log.RecordCodec;
import dev.lockstep.tm.messages.TmMessage;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The file side of one incarnation's log: appends batches to the current segment, rolls to the next one, relocates
 * old open decisions and deletes segments nobody needs (invariant 9). Only the holder of the writer token in
 * {@link DecisionLog} calls it, one thread at a time, outside the append lock.
 *
 * <p>What the reader relies on (docs/log-format.md, format version 3):
 * <ul>
 * <li>Every frame's check is its CRC32C XOR the number of the segment it is written into, so that the bytes of an
 * earlier pass of a recycled file read as the end of the data: a segment file no manifest lists any more is kept
 * as a spare (at most {@value #MAX_SPARES}) and renamed to the next number instead of a new file being zero-filled.
 * A writer of version 2 (kept for tests of logs of earlier releases) never recycles.</li>
 * <li>Every batch written into a segment starts with a MARK frame saying up to where that segment was forced before
 * the batch: the reader tells forced data (damage there is corruption) from the unforced tail (a torn tail).</li>
 * <li>The manifest lists the segments that must exist: written after the first segment is created and before any
 * frame; at a roll after the full segment is forced and the next one exists, and before anything is written into
 * it; at a reclamation before the freed files are deleted. A segment is sealed in it at its exact data end.</li>
 * <li>A segment is deleted only after a force, so every END that released it is durable first.</li>
 * </ul>
 */
final class SegmentWriter implements Closeable {

    private static final System.Logger LOG = System.getLogger("dev.lockstep.tm.log");

    /** Segment files kept for reuse at most; more are deleted. */
    static final int MAX_SPARES = 2;

    /** One framed record inside a batch buffer. */
    record PlacedFrame(LogRecord record, byte[] frame, int offset) {
    }

    private final LogStorage storage;
    private final Path nodeDir;
    private final long incarnation;
    private final long segmentBytes;
    private final boolean reclaims;
    /** The format of the segments this writer creates ({@link RecordCodec#FORMAT_VERSION}, or 2 in tests). */
    private final int version;
    /** True if freed segment files are kept and reused (format 3, and a writer that reclaims). */
    private final boolean recycles;
    /** Where the next segment is prepared; null: a daemon thread of this writer's own. */
    private final Executor prepareIn;
    private final LiveDecisions live = new LiveDecisions();
    private final java.util.zip.CRC32C markCrc = new java.util.zip.CRC32C();
    /** Segment files of this incarnation that exist (listed or not yet deleted), the current one included. */
    private final TreeSet<Long> segmentsOnDisk = new TreeSet<>();
    /**
     * Numbers of segment files no manifest lists any more, kept (under their old names, which the reader ignores)
     * to be renamed into the next segments, oldest first.
     */
    private final java.util.ArrayDeque<Long> spares = new java.util.ArrayDeque<>();
    /** The sealed segments the manifest lists, with their data ends; the current segment is listed as OPEN. */
    private TreeMap<Long, Long> sealed = new TreeMap<>();

    private LogChannel channel;
    /**
     * The next segment, created, zero-filled and forced ahead of time once the current one is half full, so that a
     * roll does not stall every committer behind the zero-fill of a whole segment (16 MiB by default; it showed as a
     * p99.9 spike of tens of milliseconds). Null when none is being prepared. The file has its final name from the
     * start; the reader ignores it until a manifest lists it.
     */
    private CompletableFuture<LogChannel> next;
    /** The spare the prepared next segment is made of, or 0 if it is a new file. */
    private long nextFrom;
    private ExecutorService preparer;
    private long segment;
    /** What the checks of frames in the current segment are XORed with ({@link RecordCodec#salt}). */
    private int salt;
    private Path segmentPath;
    private long position;
    /** The offset of the current segment up to which everything written is forced: the next MARK's forcedTo. */
    private long forcedTo;
    private boolean dirty;
    private boolean directoryDirty;
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
    final AtomicLong segmentsRecycled = new AtomicLong();
    final AtomicLong segmentsDeleted = new AtomicLong();
    final AtomicLong recordsRelocated = new AtomicLong();
    final AtomicLong reclaimFailures = new AtomicLong();
    private int reclaimStreak;
    private int reclaimBackoff;
    volatile int liveDecisions;
    volatile int segmentFiles;

    SegmentWriter(LogStorage storage, Path nodeDir, long incarnation, long segmentBytes) {
        this(storage, nodeDir, incarnation, segmentBytes, true, null);
    }

    /**
     * @param reclaims false for a recovery appending to a dead incarnation's log: the decisions its records close
     *     live in segments this writer did not write and does not track, so it must never delete a segment
     * @param prepareIn where the next segment is prepared; null for a thread of its own (tests pass a direct
     *     executor, so every storage operation happens on the token holder's thread in a repeatable order)
     */
    SegmentWriter(LogStorage storage, Path nodeDir, long incarnation, long segmentBytes, boolean reclaims,
            Executor prepareIn) {
        this(storage, nodeDir, incarnation, segmentBytes, reclaims, prepareIn, RecordCodec.FORMAT_VERSION);
    }

    /**
     * @param version the format of the segments written: {@link RecordCodec#FORMAT_VERSION}, or
     *     {@link RecordCodec#VERSION_ZEROED} for tests that need the logs of earlier releases (never recycled)
     */
    SegmentWriter(LogStorage storage, Path nodeDir, long incarnation, long segmentBytes, boolean reclaims,
            Executor prepareIn, int version) {
        RecordCodec.segmentHeader(version, incarnation, 1); // refuses a version that is not written
        this.version = version;
        this.recycles = reclaims && version == RecordCodec.FORMAT_VERSION;
        this.storage = storage;
        this.nodeDir = nodeDir;
        this.incarnation = incarnation;
        this.segmentBytes = segmentBytes;
        this.reclaims = reclaims;
        this.prepareIn = prepareIn;
    }

    /** Creates the first segment and the manifest that lists it. */
    void start() throws IOException {
        startAt(1, Map.of());
    }

    /**
     * Creates segment {@code number} as the first one this writer appends to, and writes the manifest: {@code before}
     * (segment number to data end) sealed, then the new one open. A takeover passes the dead incarnation's segments.
     */
    void startAt(long number, Map<Long, Long> before) throws IOException {
        sealed = new TreeMap<>(before);
        segmentsOnDisk.addAll(before.keySet());
        createSegment(number);
        writeManifest();
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

    /**
     * Writes the frames of {@code entries}, which sit back to back in {@code batch} (flipped) after the
     * {@link RecordCodec#MARK_FRAME_BYTES} reserved at its start; the MARK is filled in here and written with the
     * first frames, in the same write.
     */
    void write(ByteBuffer batch, List<PlacedFrame> entries) throws IOException {
        int i = 0;
        boolean mark = true;
        while (i < entries.size()) {
            int lead = mark ? RecordCodec.MARK_FRAME_BYTES : 0;
            int first = lead + entries.get(i).frame().length;
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
            int from = entries.get(i).offset() - lead;
            if (mark) {
                RecordCodec.fillMark(batch.array(), batch.arrayOffset() + from, forcedTo, markCrc, salt);
                mark = false; // the rest of a batch split by a roll goes into a fresh segment: forced to 24 anyway
            }
            for (int k = i; k < j && salt != 0; k++) {
                RecordCodec.saltFrame(batch.array(), batch.arrayOffset() + entries.get(k).offset(), salt);
            }
            writeFully(batch.duplicate().limit(from + (int) length).position(from));
            for (int k = i; k < j; k++) {
                PlacedFrame e = entries.get(k);
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
        Executor executor = prepareIn;
        if (executor == null) {
            if (preparer == null) {
                preparer = Executors.newSingleThreadExecutor(
                        DaemonThreads.named("lockstep-log-segment-" + nodeDir.getFileName()));
            }
            executor = preparer;
        }
        long number = segment + 1;
        Path file = segmentFile(number);
        long from = takeSpare();
        nextFrom = from;
        next = CompletableFuture.supplyAsync(() -> {
            try {
                LogChannel ch = newSegment(from, file, number);
                storage.forceDirectory(nodeDir);
                return ch;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, executor);
    }

    /** The oldest spare's number (forgotten here: the caller renames it), or 0 if there is none. */
    private long takeSpare() {
        Long spare = spares.pollFirst();
        return spare == null ? 0 : spare;
    }

    /** Segment {@code number} as {@code file}: the spare {@code from} renamed and recycled, or (0) a new file. */
    private LogChannel newSegment(long from, Path file, long number) throws IOException {
        byte[] header = RecordCodec.segmentHeader(version, incarnation, number);
        if (from == 0) {
            return storage.createSegment(file, header, segmentBytes);
        }
        LogChannel ch = storage.recycleSegment(segmentFile(from), file, header);
        segmentsRecycled.incrementAndGet();
        return ch;
    }

    /** Forces what was written since the last force; a no-op if nothing was. */
    void force() throws IOException {
        if (dirty) {
            operation("force of", segmentPath);
            channel.force();
            forces.incrementAndGet();
            dirty = false;
            forcedTo = position;
        }
    }

    /**
     * {@link #reclaim()} right after a successful {@link #force()}, as housekeeping that never fails the batch: the
     * batch's records are durable already. A failure is logged (TmMessage.RECLAIM_FAILED) and counted, and
     * reclamation is tried again after 1, 2, 4 ... up to 1024 further forces, so a directory that keeps refusing costs
     * a few system calls, not one set per batch; what it could not delete stays on disk (and, until then, pinned by
     * nothing).
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
            reclaimStreak = Math.min(reclaimStreak + 1, 11);
            reclaimBackoff = 1 << (reclaimStreak - 1);
            LOG.log(System.Logger.Level.WARNING, TmMessage.RECLAIM_FAILED + " reclaiming old segments of " + nodeDir
                    + " failed at "
                    + operation() + ": " + e + "; the records already forced are safe and nothing else changes; "
                    + "tried again after " + reclaimBackoff + " more force(s); check the disk and the directory's "
                    + "permissions if this repeats");
        }
    }

    /**
     * Frees every sealed segment that no open decision pins: first a manifest without them, then the files, then a
     * force of the directory. Call only right after {@link #force()}, so the records that released those segments
     * are durable. A failure leaves a state the next call finishes: a segment is dropped from the in-memory list only
     * once a manifest without it is durable, and a file is forgotten only once deleted.
     */
    void reclaim() throws IOException {
        if (!reclaims) {
            return;
        }
        TreeMap<Long, Long> kept = null;
        for (Long s : sealed.keySet()) {
            if (live.pins(s) == 0) {
                if (kept == null) {
                    kept = new TreeMap<>(sealed);
                }
                kept.remove(s);
            }
        }
        if (kept != null) {
            writeManifest(kept);
            sealed = kept;
        }
        if (segmentsOnDisk.size() > sealed.size() + 1) { // files no manifest lists any more: keep or delete them
            for (java.util.Iterator<Long> it = segmentsOnDisk.iterator(); it.hasNext(); ) {
                long s = it.next();
                if (s != segment && !sealed.containsKey(s)) {
                    if (recycles && spares.size() < MAX_SPARES) {
                        spares.addLast(s); // durably unlisted already: the reader ignores it from now on
                        it.remove();
                        continue;
                    }
                    Path file = segmentFile(s);
                    operation("delete of", file);
                    storage.delete(file);
                    it.remove();
                    segmentsDeleted.incrementAndGet();
                    directoryDirty = true;
                }
            }
        }
        segmentFiles = segmentsOnDisk.size() + spares.size();
        if (directoryDirty) {
            operation("force of directory", nodeDir);
            storage.forceDirectory(nodeDir);
            directoryDirty = false;
        }
    }

    /**
     * Moves to the next segment: forces the full one, has the next one exist (prepared, or created now), writes the
     * manifest that seals the full one at its data end and lists the next one as open, and only then copies into it
     * the open decisions that still sit in segments older than the one just filled, so those can be deleted after
     * the next force and the number of files stays bounded (about three) even when a few decisions never end.
     *
     * <p>Copies are capped at a quarter of a segment per roll, oldest first: when many decisions are open at once,
     * copying all of them on every roll would write the same bytes again and again; then the files that hold them
     * stay, and disk use grows with the open decisions, not with the load.
     */
    private void roll() throws IOException {
        force();
        rolls.incrementAndGet();
        sealed.put(segment, position);
        operation("close of", segmentPath);
        channel.close();
        channel = null;
        createSegment(segment + 1);
        writeManifest();
        if (!reclaims) {
            return;
        }
        List<LiveDecisions.TxFrames> candidates = live.pinnedBelow(segment - 1);
        candidates.sort((a, b) -> Long.compare(a.firstSegment(), b.firstSegment()));
        long budget = segmentBytes / 4;
        List<LiveDecisions.TxFrames> moved = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        long bytes = 0;
        for (LiveDecisions.TxFrames d : candidates) {
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
        for (byte[] f : frames) {
            int at = copies.position();
            copies.put(f);
            RecordCodec.saltFrame(copies.array(), at, salt);
        }
        writeFully(copies.flip());
        for (LiveDecisions.TxFrames d : moved) {
            live.relocated(d, segment);
        }
        recordsRelocated.addAndGet(frames.size());
    }

    private void writeManifest() throws IOException {
        writeManifest(sealed);
    }

    /**
     * At a clean close, once everything written is forced: replaces the manifest by one that seals the open segment
     * at its data end too, so that a replay ends exactly there instead of reading the bytes after it (an earlier
     * pass's, in a recycled file) as a torn tail. Format 3 only: a version 2 writer leaves the log as earlier releases
     * did. Nothing changes if the last force failed, or if anything is unforced.
     */
    void sealAtClose() throws IOException {
        if (channel == null || dirty || version != RecordCodec.FORMAT_VERSION) {
            return;
        }
        List<LogManifest.Segment> list = new ArrayList<>(sealed.size() + 1);
        sealed.forEach((number, end) -> list.add(LogManifest.Segment.sealed(number, end)));
        list.add(LogManifest.Segment.sealed(segment, position));
        operation("replacement of the manifest", nodeDir.resolve(LogLayout.manifestFileName(incarnation)));
        LogFiles.writeManifest(storage, nodeDir, new LogManifest(incarnation, false, list));
        sealed.put(segment, position);
    }

    /** Replaces the manifest by {@code sealedSegments} and the current segment open. */
    private void writeManifest(TreeMap<Long, Long> sealedSegments) throws IOException {
        List<LogManifest.Segment> list = new ArrayList<>(sealedSegments.size() + 1);
        sealedSegments.forEach((number, end) -> list.add(LogManifest.Segment.sealed(number, end)));
        list.add(LogManifest.Segment.open(segment));
        operation("replacement of the manifest", nodeDir.resolve(LogLayout.manifestFileName(incarnation)));
        LogFiles.writeManifest(storage, nodeDir, new LogManifest(incarnation, false, list));
    }

    private void createSegment(long number) throws IOException {
        Path file = segmentFile(number);
        operation("creation of", file);
        LogChannel prepared = takePrepared(file);
        // A prepared segment was created (or recycled), forced, and its directory entry forced by the preparer.
        channel = prepared != null ? prepared : newSegment(takeSpare(), file, number);
        segment = number;
        salt = RecordCodec.salt(version, number);
        segmentPath = file;
        position = RecordCodec.SEGMENT_HEADER_BYTES;
        forcedTo = position;
        segmentsOnDisk.add(number);
        segmentsCreated.incrementAndGet();
        segmentFiles = segmentsOnDisk.size() + spares.size();
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
                if (nextFrom != 0) {
                    storage.delete(segmentFile(nextFrom)); // a spare whose renaming failed
                }
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
     * Deletes every file of this incarnation but {@code lockFile}'s lock, after a replay of what is on disk proves
     * that no decision is open ({@link LogRetirement}); fails and deletes nothing otherwise. The caller holds the lock
     * and releases it afterwards.
     */
    void retire(Path lockFile) throws IOException {
        close();
        operation("retirement of incarnation " + incarnation + " in", nodeDir);
        LogRetirement.retire(storage, nodeDir, incarnation, lockFile);
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
        discardPrepared();
    }

    /** Closes and deletes a prepared next segment nobody wrote to (best effort: the reader ignores it anyway). */
    private void discardPrepared() {
        CompletableFuture<LogChannel> f = next;
        next = null;
        if (f != null) {
            try {
                LogChannel ch = f.join();
                ch.close();
                storage.delete(segmentFile(segment + 1));
            } catch (IOException | RuntimeException ignored) {
                // left on disk: no manifest lists it, and a takeover or retirement deletes it
            }
        }
        if (preparer != null) {
            preparer.shutdown();
            preparer = null;
        }
    }
}
