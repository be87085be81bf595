package dev.lockstep.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock the test moves by hand, with a monotonic nanosecond counter beside the wall clock: {@link #advance} moves
 * both, as time passing does; {@link #step} moves only the wall clock, as an operator or NTP setting the time does.
 * Its precision is a millisecond, like the decision log's timestamps.
 */
public final class MutableClock extends Clock {
    private volatile long millis;
    private volatile long nanos = 1_000_000_000L;

    public MutableClock(long millis) {
        this.millis = millis;
    }

    public MutableClock(Instant start) {
        this(start.toEpochMilli());
    }

    public void advance(Duration d) {
        millis += d.toMillis();
        nanos += d.toNanos();
    }

    /** Sets the wall clock forward or (negative) back without time passing. */
    public void step(Duration d) {
        millis += d.toMillis();
    }

    /** The monotonic counter, for the coordinator's deadlines. */
    public long nanoTime() {
        return nanos;
    }

    @Override
    public long millis() {
        return millis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
