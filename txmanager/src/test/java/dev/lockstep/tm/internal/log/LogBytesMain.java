package dev.lockstep.tm.internal.log;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures what the decision log writes per two-phase transaction (issue 15, target 4), run by hand:
 * {@code java -Xmx512m -cp txmanager/target/classes:txmanager/target/test-classes
 * dev.lockstep.tm.internal.log.LogBytesMain <threads> <seconds> <segmentBytes> <dir>}. Each thread writes a COMMIT
 * (waiting for its force) and an END per transaction, shaped like Lockstep's (34-byte gtrid, two branches); after a
 * 3 s warm-up it reports the process's {@code wchar} (/proc/self/io: bytes passed to write-like system calls) per
 * transaction over the window, and the log's own counters, which split it into frames and the rest.
 */
public final class LogBytesMain {

    private LogBytesMain() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        long seconds = Long.parseLong(args[1]);
        long segmentBytes = Long.parseLong(args[2]);
        Path dir = Files.createTempDirectory(Path.of(args[3]), "logbytes");
        LogSettings settings = LogSettings.of(dir, "bytes").withSegmentBytes(segmentBytes);
        try (DecisionLog log = DecisionLog.open(settings, new FileLogStorage()).log()) {
            AtomicLong sequence = new AtomicLong();
            AtomicLong done = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            long n = sequence.incrementAndGet();
                            log.writeCommit(Records.commit(n));
                            log.writeEnd(Records.end(n));
                            done.incrementAndGet();
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                });
                w.start();
                workers.add(w);
            }
            Thread.sleep(3000);
            long tx0 = done.get();
            long wchar0 = wchar();
            LogStats s0 = log.stats();
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000);
            long tx = done.get() - tx0;
            long wchar = wchar() - wchar0;
            double secs = (System.nanoTime() - t0) / 1e9;
            LogStats s1 = log.stats();
            stop.set(true);
            for (Thread w : workers) {
                w.join();
            }
            long created = s1.segmentsCreated() - s0.segmentsCreated();
            System.out.printf("threads=%d segmentBytes=%d window=%.1fs tx=%d tx/s=%.0f wchar/tx=%.1f frames/tx=%.1f "
                    + "forces/tx=%.3f segmentsCreated=%d deleted=%d relocated=%d flushes=%s%n", threads, segmentBytes,
                    secs, tx, tx / secs, (double) wchar / tx, (double) (s1.bytesWritten() - s0.bytesWritten()) / tx,
                    (double) (s1.forces() - s0.forces()) / tx, created, s1.segmentsDeleted() - s0.segmentsDeleted(),
                    s1.recordsRelocated() - s0.recordsRelocated(), s1.flushes());
        }
    }

    private static long wchar() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("wchar:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        throw new IllegalStateException("no wchar in /proc/self/io");
    }
}
