package dev.lockstep.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DaemonTest {

    @Test
    void aScanThatThrowsIsReportedAndTheScheduleGoesOn() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        List<RuntimeException> failures = new CopyOnWriteArrayList<>();
        CountDownLatch three = new CountDownLatch(3);
        Daemon d = new Daemon(() -> {
            runs.incrementAndGet();
            three.countDown();
            throw new IllegalStateException("boom");
        }, Duration.ofMillis(10), failures::add);
        d.start();
        assertTrue(three.await(10, TimeUnit.SECONDS), "scans stopped after a failure");
        assertTrue(d.stop(Duration.ofSeconds(5)));
        assertEquals(runs.get(), failures.size());
        int after = runs.get();
        Thread.sleep(50);
        assertEquals(after, runs.get(), "no scan after stop");
    }

    @Test
    void stopLetsTheScanInProgressFinish() throws Exception {
        CountDownLatch inScan = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        Daemon d = new Daemon(() -> {
            inScan.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new AssertionError("a graceful stop must not interrupt the scan", e);
            }
            finished.incrementAndGet();
        }, Duration.ofHours(1), e -> { });
        d.start();
        assertTrue(inScan.await(10, TimeUnit.SECONDS));
        Thread releaser = new Thread(() -> {
            sleep(100);
            release.countDown();
        });
        releaser.start();
        assertTrue(d.stop(Duration.ofSeconds(10)), "the scan finished within the timeout");
        assertEquals(1, finished.get());
    }

    @Test
    void stopGivesUpAfterItsTimeout() throws Exception {
        CountDownLatch inScan = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Daemon d = new Daemon(() -> {
            inScan.countDown();
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, Duration.ofHours(1), e -> { });
        d.start();
        assertTrue(inScan.await(10, TimeUnit.SECONDS));
        assertFalse(d.stop(Duration.ofMillis(100)));
        never.countDown();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
