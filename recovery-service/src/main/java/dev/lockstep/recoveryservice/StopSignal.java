package dev.lockstep.recoveryservice;

import java.util.concurrent.CountDownLatch;

/**
 * How {@code run} learns that it should stop. In the jar, {@link RecoveryServiceMain} arms it with a JVM shutdown
 * hook (SIGTERM, SIGINT); a test requests the stop itself.
 */
public class StopSignal {

    private final CountDownLatch requested = new CountDownLatch(1);

    /** Called once by {@code run} before it starts scanning; the jar's signal installs its shutdown hook here. */
    protected void arm() {
    }

    /** Asks {@code run} to stop after the scan in progress. Idempotent. */
    public void requestStop() {
        requested.countDown();
    }

    public boolean stopRequested() {
        return requested.getCount() == 0;
    }

    void awaitStop() throws InterruptedException {
        requested.await();
    }
}
