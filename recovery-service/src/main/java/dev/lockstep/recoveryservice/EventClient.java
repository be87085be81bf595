package dev.lockstep.recoveryservice;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One open {@code /api/events} stream: a bounded queue of frames filled by {@link EventHub} and emptied by the
 * client's own writer thread ({@link #run()}), which writes and flushes each frame, and a heartbeat when nothing came
 * for a while. The publisher only ever offers to the queue, so a client whose socket is slow or stuck delays nobody:
 * when its queue is full the hub {@link #end() ends} it, and its thread closes the stream as soon as the socket lets
 * it (at the latest when the server closes the connections at shutdown).
 */
final class EventClient implements Runnable {

    /** Put in the queue to make the writer close the stream. */
    private static final String END = new String("end of stream");

    private final long number;
    private final BlockingQueue<String> queue;
    private final List<String> backlog;
    private final EventSink sink;
    private final Duration heartbeat;
    private final Runnable whenClosed;
    private volatile boolean open = true;

    /**
     * @param number the client's number, for its thread's name
     * @param queueSize how many live frames may wait for the writer before the client counts as fallen behind
     * @param backlog frames written before any live one (a reconnecting client's replay)
     * @param sink the response: begun, written frame by frame, and closed from the writer thread only
     * @param heartbeat the longest the stream stays silent
     * @param whenClosed told once the stream is closed, however it ended
     */
    EventClient(long number, int queueSize, List<String> backlog, EventSink sink, Duration heartbeat,
            Runnable whenClosed) {
        this.number = number;
        this.queue = new ArrayBlockingQueue<>(queueSize + 1); // room for END after a full queue is cleared
        this.backlog = List.copyOf(backlog);
        this.sink = sink;
        this.heartbeat = heartbeat;
        this.whenClosed = whenClosed;
    }

    long number() {
        return number;
    }

    /**
     * Queues a frame without waiting; false if the client has ended or its queue is full (it fell behind: the
     * caller ends it).
     */
    boolean offer(String frame) {
        return open && queue.remainingCapacity() > 1 && queue.offer(frame);
    }

    /** Makes the writer stop: what is queued is dropped and the stream is closed. Safe to call more than once. */
    void end() {
        open = false;
        queue.clear();
        queue.offer(END);
    }

    boolean isOpen() {
        return open;
    }

    /**
     * The writer: the response's headers, the backlog, then each queued frame or a heartbeat, until {@link #end()}
     * or a failed write.
     */
    @Override
    public void run() {
        try {
            sink.begin();
            for (String frame : backlog) {
                write(frame);
            }
            while (open) {
                String frame = queue.poll(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
                if (frame == END) {
                    break;
                }
                write(frame == null ? SseFormat.HEARTBEAT : frame);
            }
        } catch (IOException e) {
            // the client went away, or the server closed the connection at shutdown: nothing to tell anyone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open = false;
            queue.clear();
            try {
                sink.close();
            } finally {
                whenClosed.run();
            }
        }
    }

    private void write(String frame) throws IOException {
        if (!open) {
            throw new IOException("ended");
        }
        sink.write(frame);
    }
}
