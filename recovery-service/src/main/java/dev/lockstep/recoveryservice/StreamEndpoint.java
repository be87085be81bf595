package dev.lockstep.recoveryservice;

import com.sun.net.httpserver.HttpExchange;

/**
 * An endpoint that answers with a stream that stays open ({@code /api/events}). {@link AdminServer} routes to it and
 * reads the (empty) body as for any endpoint; the endpoint then either takes the exchange over, sending the headers
 * and writing from a thread of its own so that the server's threads stay free, or answers a refusal.
 */
@FunctionalInterface
interface StreamEndpoint {

    /**
     * Takes {@code exchange} over and returns null, or returns what to answer instead (and leaves {@code exchange}
     * alone).
     */
    HttpReply open(HttpCall call, HttpExchange exchange) throws Exception;
}
