package dev.lockstep.recoveryservice;

import java.io.IOException;

/**
 * Where one {@link EventClient} writes: the response of an {@code /api/events} exchange (or a test's buffer). Only
 * the client's own thread calls it, in this order: {@link #begin()} once, {@link #write} per frame, {@link #close()}
 * once.
 */
interface EventSink {

    /** Sends the response's status and headers; the body follows. */
    void begin() throws IOException;

    /** Writes one frame and flushes it to the client. */
    void write(String frame) throws IOException;

    /** Ends the response; never throws. */
    void close();
}
