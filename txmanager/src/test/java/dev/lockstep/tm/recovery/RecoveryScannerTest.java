package dev.lockstep.tm.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schedule shared by the recovery service's daemon and the Spring Boot starter (was the service's DaemonTest). */
class RecoveryScannerTest {

    @TempDir
    Path dir;

    private Recovery.Builder builder() {
        return Recovery.builder().logDirectory(dir).nodeId("n1");
    }

    /** Records what the scanner tells. */
    private static final class Told implements RecoveryScanner.Listener {
        final List<ScanReport> scanned = new CopyOnWriteArrayList<>();
        final List<RecoveryLockedException> skipped = new CopyOnWriteArrayList<>();
        final List<Throwable> failed = new CopyOnWriteArrayList<>();

        @Override
        public void scanned(ScanReport report) {
            scanned.add(report);
        }

        @Override
        public void skipped(RecoveryLockedException e) {
            skipped.add(e);
        }

        @Override
        public void failed(Throwable t) {
            failed.add(t);
        }
    }

    @Test
    void aScanThatThrowsIsReportedAndTheScheduleGoesOn() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch three = new CountDownLatch(3);
        Told told = new Told();
        RecoveryScanner s = RecoveryScanner.reopening(() -> {
            runs.incrementAndGet();
            three.countDown();
            throw new IllegalStateException("boom");
        }, Duration.ZERO, Duration.ofMillis(10), "test-scan", told);
        s.start();
        assertTrue(three.await(10, TimeUnit.SECONDS), "scans stopped after a failure");
        assertTrue(s.stop(Duration.ofSeconds(5)));
        assertEquals(runs.get(), told.failed.size());
        int after = runs.get();
        Thread.sleep(50);
        assertEquals(after, runs.get(), "no scan after stop");
        assertFalse(s.isRunning());
    }

    @Test
    void stopLetsTheScanInProgressFinish() throws Exception {
        CountDownLatch inScan = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        Told told = new Told();
        RecoveryScanner s = RecoveryScanner.reopening(() -> {
            inScan.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new AssertionError("a graceful stop must not interrupt the scan", e);
            }
            finished.incrementAndGet();
            return builder().build();
        }, Duration.ZERO, Duration.ofHours(1), "test-scan", told);
        s.start();
        assertTrue(inScan.await(10, TimeUnit.SECONDS));
        Thread releaser = new Thread(() -> {
            sleep(100);
            release.countDown();
        });
        releaser.start();
        assertTrue(s.stop(Duration.ofSeconds(10)), "the scan finished within the timeout");
        assertEquals(1, finished.get());
        assertEquals(1, s.scanCount());
        assertEquals(List.of(), told.failed);
    }

    @Test
    void stopGivesUpAfterItsTimeoutAndCanInterruptTheScan() throws Exception {
        CountDownLatch inScan = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        RecoveryScanner s = RecoveryScanner.reopening(() -> {
            inScan.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("interrupted");
        }, Duration.ZERO, Duration.ofHours(1), "test-scan", new Told());
        s.start();
        assertTrue(inScan.await(10, TimeUnit.SECONDS));
        assertFalse(s.stop(Duration.ofMillis(100)));
        assertEquals(1, interrupted.getCount(), "stop never interrupts");
        s.interruptScan();
        assertTrue(interrupted.await(10, TimeUnit.SECONDS));
    }

    @Test
    void aTurnIsSkippedWhileAnotherRecoveryHoldsTheNode() {
        Told told = new Told();
        RecoveryScanner s = RecoveryScanner.reopening(builder()::build, Duration.ZERO, Duration.ofHours(1),
                "test-scan", told);
        try (Recovery other = builder().build()) {
            assertTrue(s.scanNow().isEmpty());
            assertEquals(1, s.skippedCount());
            assertEquals(1, told.skipped.size());
            assertTrue(s.lastReport().isEmpty());
        }
        ScanReport report = s.scanNow().orElseThrow();
        assertTrue(report.clean(), report.toString());
        assertEquals(1, s.scanCount());
        assertEquals(report, s.lastReport().orElseThrow());
        assertEquals(List.of(report), told.scanned);
        builder().build().close(); // the turn released its lock
    }

    @Test
    void aHeldRecoveryIsScannedEveryTurnAndLeftOpen() throws Exception {
        Told told = new Told();
        try (Recovery held = builder().build()) {
            RecoveryScanner s = RecoveryScanner.holding(held, Duration.ofMillis(10), told);
            s.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (s.scanCount() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(s.stop(Duration.ofSeconds(5)));
            assertTrue(s.scanCount() >= 2, "scans: " + s.scanCount());
            assertTrue(held.scan().clean(), "still open and locked by its owner");
            assertThrows(RecoveryLockedException.class, () -> builder().build());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
