package dev.lockstep.recoveryservice;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An {@link EventSink} over a {@code jdk.httpserver} exchange: {@code 200} with length 0 (chunked: the body lasts
 * until closed), then each frame written and flushed; the server buffers a chunk until it is full or flushed, so
 * without the flush an event would wait for the next ones.
 */
final class ExchangeSink implements EventSink {

    private final HttpExchange exchange;
    private OutputStream body;

    ExchangeSink(HttpExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public void begin() throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("X-Accel-Buffering", "no"); // nginx: pass each event on as it comes
        exchange.sendResponseHeaders(200, 0);
        body = exchange.getResponseBody();
    }

    @Override
    public void write(String frame) throws IOException {
        body.write(frame.getBytes(StandardCharsets.UTF_8));
        body.flush();
    }

    @Override
    public void close() {
        try {
            exchange.close(); // writes the last chunk when the socket is still open; a dead one is closed
        } catch (RuntimeException e) {
            // nothing left to tell the client
        }
    }
}
