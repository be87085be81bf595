package dev.lockstep.tm.internal.events;

import dev.lockstep.tm.events.TransactionEvent;
import dev.lockstep.tm.events.TransactionListener;
import dev.lockstep.tm.messages.TmMessage;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Hands events from the committing threads to the listeners without ever making a committer wait (the contract of
 * {@link TransactionListener}): a bounded, lock-free queue drained by one daemon thread. {@link #publish} costs a
 * counter increment and a queue node; when the queue holds {@code capacity} events it drops the new one and counts it,
 * and it wakes the drainer only when the drainer went to sleep on an empty queue.
 *
 * <p>Not created at all when no listener is registered: the coordinator then holds null and skips every event site.
 */
public final class EventDispatcher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.lockstep.tm.events");

    /** Events the queue holds at most; about 64 bytes each, so a stalled listener costs at most a few MiB. */
    public static final int DEFAULT_CAPACITY = 65_536;

    private final TransactionListener[] listeners;
    private final boolean[] warned;
    private final int capacity;
    private final ConcurrentLinkedQueue<TransactionEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    /** Set while a burst of drops is going on, so that it is logged once, not once per event. */
    private volatile boolean dropping;
    private final Thread drainer;
    private volatile boolean sleeping;
    private volatile boolean closed;
    /** Events taken from the queue and fully delivered; for {@link #awaitDelivered}. */
    private final AtomicInteger inFlight = new AtomicInteger();

    public EventDispatcher(List<TransactionListener> listeners, int capacity, String threadName) {
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("an event dispatcher needs at least one listener");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("event queue capacity must be at least 1, got " + capacity);
        }
        this.listeners = listeners.toArray(new TransactionListener[0]);
        this.warned = new boolean[this.listeners.length];
        this.capacity = capacity;
        this.drainer = new Thread(this::drain, threadName);
        drainer.setDaemon(true);
        drainer.start();
    }

    /** Queues {@code event} for the listeners and returns at once; drops it if the queue is full or closed. */
    public void publish(TransactionEvent event) {
        if (closed) {
            dropped.increment(); // Lockstep is closing: nobody is listening any more
            return;
        }
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            drop();
            return;
        }
        queue.offer(event);
        if (sleeping) {
            LockSupport.unpark(drainer);
        }
    }

    private void drop() {
        dropped.increment();
        if (!dropping) {
            dropping = true;
            LOG.log(Level.WARNING, TmMessage.EVENTS_DROPPED + " the transaction event queue is full ({0} events): a "
                    + "listener is too slow, and events are dropped until it catches up; transactions go on", capacity);
        }
    }

    /** Events dropped because the queue was full (or closed). */
    public long dropped() {
        return dropped.sum();
    }

    private void drain() {
        while (true) {
            TransactionEvent e = queue.poll();
            if (e == null) {
                if (closed) {
                    return;
                }
                sleeping = true;
                if (queue.isEmpty() && !closed) {
                    LockSupport.parkNanos(this, 100_000_000L);
                }
                sleeping = false;
                continue;
            }
            inFlight.incrementAndGet();
            size.decrementAndGet();
            deliver(e);
            inFlight.decrementAndGet();
            if (dropping && size.get() < capacity / 2) {
                dropping = false;
            }
        }
    }

    private void deliver(TransactionEvent e) {
        for (int i = 0; i < listeners.length; i++) {
            try {
                listeners[i].onEvent(e);
            } catch (RuntimeException | Error t) {
                if (t instanceof VirtualMachineError) {
                    throw t;
                }
                if (!warned[i]) {
                    warned[i] = true;
                    LOG.log(Level.WARNING, TmMessage.LISTENER_FAILED + " transaction listener " + listeners[i]
                            + " threw on " + e + "; it keeps receiving events, and further failures of it are not "
                            + "logged", t);
                }
            }
        }
    }

    /**
     * Waits until every event published before this call was delivered, at most {@code timeoutNanos}; false if some
     * were not. For {@link #close} and tests.
     */
    public boolean awaitDelivered(long timeoutNanos) {
        long end = System.nanoTime() + timeoutNanos;
        while (size.get() > 0 || inFlight.get() > 0) {
            if (System.nanoTime() - end > 0 || !drainer.isAlive()) {
                return false;
            }
            LockSupport.unpark(drainer);
            LockSupport.parkNanos(200_000L);
        }
        return true;
    }

    /**
     * Stops accepting events, delivers those queued (waiting at most {@code timeoutNanos} for a slow listener, whose
     * remaining events are then abandoned) and stops the thread.
     */
    public void close(long timeoutNanos) {
        awaitDelivered(timeoutNanos);
        closed = true;
        LockSupport.unpark(drainer);
    }

    @Override
    public void close() {
        close(1_000_000_000L);
    }
}
