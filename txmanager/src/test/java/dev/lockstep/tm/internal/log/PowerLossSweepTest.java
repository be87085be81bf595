package dev.lockstep.tm.internal.log;

import static dev.lockstep.tm.internal.log.Records.commit;
import static dev.lockstep.tm.internal.log.Records.end;
import static dev.lockstep.tm.internal.log.Records.gtrid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.tm.log.CorruptLogException;
import dev.lockstep.tm.log.ForgetRecord;
import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.log.HeuristicOutcome;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogManifest;
import dev.lockstep.tm.log.LogReader;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.log.RecordCodec;
import dev.lockstep.tm.log.ReplayResult;
import dev.lockstep.tm.testing.SimDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Invariant 8 under power loss, swept: a long deterministic workload runs on the decision log over a {@link SimDisk},
 * and before every storage operation crash images of that moment are built (every page not yet forced kept, lost or
 * torn; every pending directory operation persisted or not). Each image is
 * <ol>
 * <li>opened as the next incarnation ({@link DecisionLog#open}): it must never be called corrupt, and the older
 * incarnation's open decisions must be exactly what was acknowledged and not durably closed (a decision whose
 * outcome was not acknowledged either way may or may not be there);</li>
 * <li>taken over as recovery does ({@link LogTakeover}: repair, seal, a new segment), every open decision closed
 * (END, or FORGET when heuristics keep it) and the incarnation retired: that must work and leave none of its files;
 * </li>
 * <li>for a sample, damaged in forced data, which must be loud: a flipped byte or a zeroed page below a MARK's
 * forcedTo in the open segment, a flipped byte, a zeroed page and cuts at and 1-3 bytes into a frame start in a
 * sealed segment, a deleted listed segment, a deleted manifest of an incarnation with data: each a
 * {@link CorruptLogException} naming the file.</li>
 * </ol>
 * The workload: COMMITs (forced), ENDs (not forced), {@code flush(false)} as the housekeeping timer does, heuristic
 * outcomes and FORGETs, decisions left open long enough to be relocated, 8 KiB segments so that many rolls and
 * reclamations happen, the next segment prepared on the writer's thread so the order of operations repeats. Then the
 * process dies and a recovery takes the log over, closes everything and retires it, swept the same way.
 *
 * <p>CI runs a short sweep: 2 seeds of 320 steps, about 18,000 crash images in about 20 s. The system property
 * {@code -Dlockstep.sweep.deep=true} runs 20 seeds of 1,500 steps (about 39,000 crash images and 22,000 damage cases
 * per seed, a minute or two per seed; 4 seeds took 318 s on a busy two-core machine), {@code -Dlockstep.sweep.deep=N}
 * N such seeds, e.g.
 * {@code mvn -pl txmanager test -Dtest=PowerLossSweepTest -Dlockstep.sweep.deep=true}.
 *
 * <p>The sweep runs twice: the process writes segments of format version 2 (zero-filled, as earlier releases wrote
 * them) or of version 3 (recycled files, whose bytes after the data are an earlier pass's); the next start and the
 * recovery are always of the current version.
 */
@ParameterizedClass
@ValueSource(ints = {RecordCodec.VERSION_ZEROED, RecordCodec.FORMAT_VERSION})
class PowerLossSweepTest {

    @Parameter
    int version;

    /** {@code -Dlockstep.sweep.deep=true}: 20 seeds; {@code =N}: N seeds; unset: the CI share. */
    private static final String DEEP = System.getProperty("lockstep.sweep.deep", "");
    private static final long SEGMENT_BYTES = 8 * 1024;
    private static final Path LOG_DIR = Path.of("/sim/logs");
    private static final LogSettings SETTINGS = LogSettings.of(LOG_DIR, LogFixture.NODE);
    private static final Path NODE_DIR = LogLayout.nodeDirectory(LOG_DIR, LogFixture.NODE);

    private int images;
    private int damageCases;

    @Test
    void everyCrashImageReplaysTheAcknowledgedDecisionsAndDamageIsLoud() throws Exception {
        boolean deep = DEEP.equals("true") || DEEP.matches("[1-9][0-9]*");
        int seeds = !deep ? 2 : DEEP.equals("true") ? 20 : Integer.parseInt(DEEP);
        int steps = deep ? 1_500 : 320;
        long started = System.nanoTime();
        for (int seed = 1; seed <= seeds; seed++) {
            sweep(seed, steps);
        }
        System.out.printf("power-loss sweep: %d seeds, %d crash images, %d damage cases, %.1f s%n", seeds, images,
                damageCases, (System.nanoTime() - started) / 1e9);
        assertTrue(images > 1_000, "images: " + images);
        assertTrue(damageCases > 100, "damage cases: " + damageCases);
    }

    /** What the workload did, as the checks need it; the workload runs on one thread, the listener on the same. */
    private static final class Model {
        long appends;
        long durableUpTo = -1;
        final Map<Long, Long> commitAppended = new HashMap<>();
        final TreeSet<Long> acked = new TreeSet<>();
        final Map<Long, Long> endAppended = new HashMap<>();
        final Map<Long, Long> heuristicAppended = new HashMap<>();
        final TreeSet<Long> heuristicAcked = new TreeSet<>();
        final Map<Long, Long> forgetAppended = new HashMap<>();
        final Map<Gtrid, Long> byKey = new HashMap<>();

        /** Records appended by a process that died before a force covered them: later forces never do. */
        long lostAfter = Long.MAX_VALUE;
        long lostBefore = Long.MIN_VALUE;

        long append() {
            return appends++;
        }

        boolean durable(Map<Long, Long> appended, long n) {
            Long at = appended.get(n);
            return at != null && at <= durableUpTo && !(at > lostAfter && at < lostBefore);
        }

        /** The writing process died: what it appended after its last completed force stays unknown for good. */
        void processDied() {
            lostAfter = durableUpTo;
            lostBefore = appends;
        }

        /** Checks what a replay found against what was acknowledged and what was durably closed. */
        void check(Map<Gtrid, PendingDecision> pending, String where) {
            for (Gtrid key : pending.keySet()) {
                Long n = byKey.get(key);
                if (n == null) {
                    fail(where + ": " + key + " is pending but was never written");
                }
                if (forgetAppended.containsKey(n) && durable(forgetAppended, n)) {
                    fail(where + ": decision " + n + " is pending after its FORGET was forced");
                }
                if (durable(endAppended, n) && !heuristicAppended.containsKey(n)) {
                    fail(where + ": decision " + n + " is pending after its END was forced");
                }
                PendingDecision d = pending.get(key);
                if (acked.contains(n) && !commit(n).equals(d.commit())) {
                    fail(where + ": decision " + n + " replays as " + d.commit());
                }
            }
            for (long n : acked) {
                boolean mustBeOpen = !forgetAppended.containsKey(n)
                        && (heuristicAcked.contains(n) || !endAppended.containsKey(n));
                if (mustBeOpen && !pending.containsKey(Records.key(n))) {
                    fail(where + ": acknowledged decision " + n + " is missing");
                }
                if (heuristicAcked.contains(n) && pending.containsKey(Records.key(n))
                        && pending.get(Records.key(n)).heuristics().isEmpty()) {
                    fail(where + ": the acknowledged heuristic of decision " + n + " is missing");
                }
            }
        }
    }

    private void sweep(long seed, int steps) throws Exception {
        Random random = new Random(seed);
        Random imageRandom = new Random(seed * 7919);
        SimDisk disk = new SimDisk();
        Model model = new Model();
        int[] opCount = {0};
        disk.listener((index, op, path) -> {
            opCount[0]++;
            checkImages(disk, model, imageRandom, "seed " + seed + " before operation " + index + " (" + op + " "
                    + path + ")");
        });
        SimDisk.Process tm = disk.process("tm");
        DecisionLog log = DecisionLog.open(SETTINGS, tm, SEGMENT_BYTES, Runnable::run, version).log();
        List<Long> open = new ArrayList<>();
        long next = 0;
        for (int step = 0; step < steps; step++) {
            int choice = random.nextInt(100);
            if (choice < 45 || open.size() < 3) {
                long n = next++;
                model.commitAppended.put(n, model.append());
                model.byKey.put(Records.key(n), n);
                log.writeCommit(commit(n));
                model.acked.add(n);
                model.durableUpTo = model.commitAppended.get(n);
                if (n % 40 != 5) {
                    open.add(n); // every 40th stays open to the end: relocated from segment to segment
                }
            } else if (choice < 85) {
                // END of an open decision, the most recent ones more often; a few stay open for long (relocation)
                int i = open.size() - 1 - Math.min(open.size() - 1, (int) Math.abs(random.nextGaussian() * 4));
                long n = open.remove(i);
                model.endAppended.put(n, model.append());
                log.writeEnd(end(n));
            } else if (choice < 88) {
                log.flush(false); // the housekeeping timer
            } else if (choice < 92) {
                // A burst of ENDs, then the timer's flush: an unforced region of a few KiB, across a page boundary
                // more often than not, whose pages a power loss may keep or lose in any order.
                for (int k = 0; k < 40 && open.size() > 3; k++) {
                    long n = open.remove(open.size() - 1);
                    model.endAppended.put(n, model.append());
                    log.writeEnd(end(n));
                }
                for (int k = 0; k < 40; k++) {
                    long n = next++;
                    model.commitAppended.put(n, model.append());
                    model.byKey.put(Records.key(n), n);
                    log.writeCommit(commit(n));
                    model.acked.add(n);
                    model.durableUpTo = model.commitAppended.get(n);
                    open.add(n);
                    if (k % 2 == 1) {
                        long e = open.remove(open.size() - 2);
                        model.endAppended.put(e, model.append());
                        log.writeEnd(end(e));
                    }
                }
                log.flush(false);
            } else if (choice < 96) {
                long n = open.get(random.nextInt(open.size()));
                if (!model.heuristicAppended.containsKey(n)) {
                    model.heuristicAppended.put(n, model.append());
                    log.writeHeuristic(heuristic(n));
                    model.heuristicAcked.add(n);
                    model.durableUpTo = model.heuristicAppended.get(n);
                }
            } else {
                Long n = model.heuristicAcked.stream().filter(h -> !model.forgetAppended.containsKey(h)).findFirst()
                        .orElse(null);
                if (n != null) {
                    model.forgetAppended.put(n, model.append());
                    log.writeForget(new ForgetRecord(gtrid(n)));
                    model.durableUpTo = model.forgetAppended.get(n);
                    open.remove(n);
                }
            }
        }
        System.out.printf("seed %d: %d operations, %d crash images so far, %s%n", seed, opCount[0], images,
                log.stats());
        assertTrue(log.stats().flushes(FlushReason.ROLL) > 3, log.stats().toString());
        assertTrue((version == RecordCodec.FORMAT_VERSION ? log.stats().segmentsRecycled()
                : log.stats().segmentsDeleted()) > 3, log.stats().toString());
        assertTrue(log.stats().recordsRelocated() > 0, log.stats().toString());
        // The process dies with ENDs written but not forced (the timer's flush): a kill leaves them in the page cache,
        // where the takeover reads them, and a power loss after the takeover must not lose what it sealed.
        for (int k = 0; k < 3 && open.size() > 3; k++) {
            long n = open.remove(open.size() - 1);
            model.endAppended.put(n, model.append());
            log.writeEnd(end(n));
        }
        log.flush(false);
        tm.crash(); // the process dies without closing; a recovery takes over, swept the same way
        model.processDied();

        SimDisk.Process recovery = disk.process("recovery");
        LogTakeover.TakenOver taken = LogTakeover.takeOver(SETTINGS, recovery, 1);
        assertNotNull(taken);
        model.check(taken.replay().pending(), "seed " + seed + " takeover of the live disk");
        for (Map.Entry<Gtrid, PendingDecision> e : taken.replay().pending().entrySet()) {
            long n = model.byKey.get(e.getKey());
            if (e.getValue().heuristics().isEmpty()) {
                model.endAppended.put(n, model.append());
                taken.log().writeEnd(end(n));
            } else {
                model.forgetAppended.put(n, model.append());
                taken.log().writeForget(new ForgetRecord(gtrid(n)));
                model.durableUpTo = model.forgetAppended.get(n);
            }
        }
        long lastAppend = model.appends - 1;
        taken.log().flush(true);
        model.durableUpTo = lastAppend;
        taken.log().retire();
        disk.listener(null);
        assertEquals(List.of(), incarnationFiles(disk, 1), "retired");
    }

    private static HeuristicRecord heuristic(long n) {
        return new HeuristicRecord(gtrid(n), new byte[] {0, 0, 0, 2}, "artemis-01", HeuristicOutcome.MIXED, n);
    }

    private static List<Path> incarnationFiles(SimDisk disk, long incarnation) {
        List<Path> files = new ArrayList<>();
        for (Path f : disk.files(NODE_DIR)) {
            if (LogLayout.incarnationOf(f).orElse(-1) == incarnation && !f.getFileName().toString().endsWith(".lock")) {
                files.add(f);
            }
        }
        return files;
    }

    private void checkImages(SimDisk disk, Model model, Random random, String where) {
        List<SimDisk> crashImages = disk.crashImages(random, 6);
        for (int i = 0; i < crashImages.size(); i++) {
            SimDisk image = crashImages.get(i);
            String at = where + ", image " + i;
            images++;
            try {
                reopenAsNextIncarnation(image.copy(), model, at);
                recoverAndRetire(image.copy(), model, at);
                if (images % 20 == 0) {
                    damage(image, random, at);
                }
            } catch (IOException e) {
                throw new AssertionError(at + ": " + e, e);
            }
        }
    }

    private static void reopenAsNextIncarnation(SimDisk image, Model model, String where) throws IOException {
        OpenedLog opened = DecisionLog.open(SETTINGS, image.process("next"), SEGMENT_BYTES, Runnable::run);
        try (DecisionLog log = opened.log()) {
            Map<Gtrid, PendingDecision> pending = Map.of();
            for (DeadIncarnation dead : opened.inDoubt()) {
                if (dead.incarnation() == 1) {
                    pending = dead.replay().pending();
                }
            }
            model.check(pending, where + ", reopened");
        }
    }

    private static void recoverAndRetire(SimDisk image, Model model, String where) throws IOException {
        if (!LogLayout.incarnationsIn(image.files(NODE_DIR)).contains(1L)) {
            model.check(Map.of(), where + ", no file of incarnation 1"); // recovery has nothing to take over
            return;
        }
        LogTakeover.TakenOver taken = LogTakeover.takeOver(SETTINGS, image.process("recovery"), 1);
        assertNotNull(taken, where + ": nobody holds the lock of a crash image");
        model.check(taken.replay().pending(), where + ", taken over");
        ReplayResult again = LogReader.replay(NODE_DIR, 1, LogFiles.source(image.process("reader")));
        assertEquals(taken.replay().pending().keySet(), again.pending().keySet(), where + ": the repair and the seal "
                + "changed what the log says");
        for (Map.Entry<Gtrid, PendingDecision> e : taken.replay().pending().entrySet()) {
            if (e.getValue().heuristics().isEmpty()) {
                taken.log().writeEnd(new dev.lockstep.tm.log.EndRecord(e.getKey().bytes()));
            } else {
                taken.log().writeForget(new ForgetRecord(e.getKey().bytes()));
            }
        }
        taken.log().retire();
        assertEquals(List.of(), incarnationFiles(image, 1), where + ": retired");
    }

    // Damage of forced data -------------------------------------------------------------------------------------

    /** One intact frame of a segment: where it starts and ends, and a MARK's forcedTo (else -1). */
    private record Frame(int start, int end, long forcedTo) {
    }

    /** The intact frames from the header on, up to the first bad one or {@code limit}; checked as the header says. */
    private static List<Frame> frames(byte[] data, int limit) {
        List<Frame> frames = new ArrayList<>();
        int pos = RecordCodec.SEGMENT_HEADER_BYTES;
        ByteBuffer b = ByteBuffer.wrap(data);
        int salt = RecordCodec.salt(b.getShort(4) & 0xFFFF, b.getInt(16) & 0xFFFFFFFFL);
        while (pos + RecordCodec.FRAME_HEADER_BYTES < limit) {
            int length = b.getInt(pos);
            if (length <= 0 || pos + RecordCodec.FRAME_HEADER_BYTES + length > limit
                    || (b.getInt(pos + 4) ^ salt)
                    != RecordCodec.crc(data, pos + RecordCodec.FRAME_HEADER_BYTES, length)) {
                break;
            }
            int payload = pos + RecordCodec.FRAME_HEADER_BYTES;
            long forcedTo = data[payload] == RecordCodec.TYPE_MARK ? b.getInt(payload + 1) & 0xFFFFFFFFL : -1;
            frames.add(new Frame(pos, payload + length, forcedTo));
            pos = payload + length;
        }
        return frames;
    }

    private void damage(SimDisk image, Random random, String where) throws IOException {
        byte[] manifestBytes = image.content(NODE_DIR.resolve(LogLayout.manifestFileName(1)));
        if (manifestBytes == null) {
            return;
        }
        LogManifest manifest = LogManifest.decode(NODE_DIR.resolve(LogLayout.manifestFileName(1)), manifestBytes);
        if (manifest.retired()) {
            return;
        }
        boolean anyData = false;
        for (LogManifest.Segment s : manifest.segments()) {
            Path file = NODE_DIR.resolve(LogLayout.segmentFileName(1, s.number()));
            byte[] data = image.content(file);
            List<Frame> frames = frames(data, s.open() ? data.length : (int) s.dataEnd());
            anyData |= !frames.isEmpty();
            if (s.open()) {
                long forced = frames.stream().mapToLong(Frame::forcedTo).max().orElse(-1);
                List<Frame> below = frames.stream().filter(f -> f.end() <= forced).toList();
                if (below.isEmpty()) {
                    continue;
                }
                Frame victim = below.get(random.nextInt(below.size()));
                byte[] flipped = data.clone();
                flipped[victim.start() + 4 + random.nextInt(victim.end() - victim.start() - 4)] ^= 0x20;
                expectCorrupt(image, file, flipped, victim.start(), victim.start(), where + ", open segment, "
                        + "flipped byte in forced data");
                byte[] zeroed = data.clone();
                Arrays.fill(zeroed, victim.start() + 1, (int) Math.min(victim.start() + 1 + 4096, forced), (byte) 0);
                expectCorrupt(image, file, zeroed, victim.start(), victim.start(), where + ", open segment, zeroed "
                        + "page in forced data");
            } else {
                if (frames.isEmpty()) {
                    continue;
                }
                Frame victim = frames.get(random.nextInt(frames.size()));
                byte[] flipped = data.clone();
                flipped[victim.start() + 4 + random.nextInt(victim.end() - victim.start() - 4)] ^= 0x02;
                expectCorrupt(image, file, flipped, victim.start(), victim.start(), where + ", sealed segment, "
                        + "flipped byte");
                byte[] zeroed = data.clone();
                Arrays.fill(zeroed, victim.start() + 1, Math.min(victim.start() + 1 + 4096, data.length), (byte) 0);
                expectCorrupt(image, file, zeroed, victim.start(), victim.start(), where + ", sealed segment, zeroed "
                        + "page after a frame start");
                for (int into = 0; into <= 3; into++) {
                    byte[] cut = Arrays.copyOf(data, victim.start() + into);
                    expectCorrupt(image, file, cut, victim.start(), victim.start() + into, where + ", sealed segment "
                            + "cut " + into + " bytes into a frame");
                }
            }
            SimDisk missing = image.copy();
            missing.remove(file);
            expectCorrupt(missing, file, where + ", listed segment deleted");
        }
        if (anyData) {
            SimDisk noManifest = image.copy();
            noManifest.remove(NODE_DIR.resolve(LogLayout.manifestFileName(1)));
            expectCorrupt(noManifest, null, where + ", manifest deleted");
        }
    }

    private void expectCorrupt(SimDisk image, Path file, byte[] content, long fromOffset, long toOffset, String where)
            throws IOException {
        SimDisk damaged = image.copy();
        damaged.overwrite(file, content);
        CorruptLogException e = expectCorrupt(damaged, file, where);
        if (e.offset() < fromOffset || e.offset() > toOffset) {
            fail(where + ": corruption reported at offset " + e.offset() + ", expected " + fromOffset + ".."
                    + toOffset + ": " + e.getMessage());
        }
    }

    private CorruptLogException expectCorrupt(SimDisk damaged, Path file, String where) throws IOException {
        damageCases++;
        try {
            ReplayResult r = LogReader.replay(NODE_DIR, 1, LogFiles.source(damaged.process("reader")));
            fail(where + ": damage of forced data was not noticed: " + r.pending().size() + " pending, torn tail "
                    + r.tornTail());
            return null;
        } catch (CorruptLogException e) {
            if (file != null && !file.equals(e.file())) {
                fail(where + ": corruption names " + e.file() + ", expected " + file + ": " + e.getMessage());
            }
            try {
                DecisionLog.open(SETTINGS, damaged.process("next"), SEGMENT_BYTES, Runnable::run).log().close();
                fail(where + ": the next start opened over a corrupt older incarnation");
            } catch (CorruptLogException expected) {
                // loud at start too
            }
            return e;
        }
    }
}
