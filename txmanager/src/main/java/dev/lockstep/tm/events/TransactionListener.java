package dev.lockstep.tm.events;

/**
 * Told what happens to every transaction of a {@code Lockstep} and to each of its branches: for metrics, traces and
 * live displays (the {@code lockstep-metrics} module is one). Register it with {@code Lockstep.Builder.listener};
 * docs/operations.md ("Events and metrics") lists every event.
 *
 * <p><b>Delivered on another thread, never on the committing one.</b> A transaction manager must not let a monitor
 * decide how fast, or whether, a transaction commits. Lockstep therefore hands each event to a bounded queue and
 * returns at once; one daemon thread per {@code Lockstep} ({@code lockstep-events-<node>}) takes them in the order
 * they were published and calls every listener, one after the other. So:
 * <ul>
 *   <li>a listener that is slow or blocks delays only later events, never a commit: when the queue is full, new
 *       events are dropped and counted ({@code Lockstep.droppedEvents()}; TmMessage.EVENTS_DROPPED is logged once
 *       per burst) rather than waited for;</li>
 *   <li>a listener that throws is logged (TmMessage.LISTENER_FAILED, once per listener) and keeps receiving events;
 *       the other listeners and the transaction never see the exception;</li>
 *   <li>the events of one transaction arrive in the order they were published: a phase tells each branch's call as it
 *       starts (on the thread that makes it, so the branches of a parallel phase may interleave) and the answers once
 *       every branch answered, in branch order. Every event carries the durations it reports, measured where the
 *       work happened, so a listener that runs late still records the right times.</li>
 * </ul>
 * The alternative, calling listeners synchronously and catching what they throw, is cheaper by one hand-off but lets a
 * listener that blocks (a full exporter queue, a lock, a network call) stall every commit of the process, which is the
 * one thing monitoring may not do. With no listener registered nothing is queued, timed or allocated: the committing
 * path pays one null check per event site.
 */
@FunctionalInterface
public interface TransactionListener {

    /**
     * One event; called on Lockstep's event thread. Should return quickly (later events wait for it, and are dropped
     * when the queue fills); may throw, which is logged and ignored.
     */
    void onEvent(TransactionEvent event);
}
