package dev.lockstep.tm.internal.timeout;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped, jittered exponential backoff, shared by phase-two retries and recovery's unreachable resources: the delay
 * before attempt {@code n} is half to all of {@code initial * 2^(n-1)}, capped at {@code max}, so the first retry
 * comes soon and a dead resource costs one call per {@code max}, at moments spread over time.
 */
public final class RetryBackoff {

    private RetryBackoff() {
    }

    /** The delay in nanoseconds before attempt {@code attempt} (1-based). */
    public static long delayNanos(long initialNanos, long maxNanos, int attempt) {
        long base = initialNanos;
        for (int i = 1; i < attempt && base < maxNanos; i++) {
            base *= 2;
        }
        base = Math.min(base, maxNanos);
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }
}
