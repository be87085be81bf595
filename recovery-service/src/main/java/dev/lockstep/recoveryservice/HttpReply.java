package dev.lockstep.recoveryservice;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.tm.messages.MessageId;
import java.util.Map;

/**
 * What an {@link Endpoint} answers: a status and a JSON document (every answer of the service is JSON, errors
 * included: {@code {"status": 403, "id": <the id>, "error": "<the id> …"}}, but for {@code /metrics}, whose text
 * format is Prometheus'), plus any extra headers.
 *
 * @param status the HTTP status code
 * @param json the body, a JSON document (or a text whose {@code Content-Type} is in {@code headers})
 * @param headers extra response headers (e.g. {@code WWW-Authenticate}, {@code Allow})
 * @param logAs the message id of a refusal, for the log line, or null
 */
record HttpReply(int status, String json, Map<String, String> headers, MessageId logAs) {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static HttpReply json(int status, String json) {
        return new HttpReply(status, json, Map.of(), null);
    }

    /** A text that is not JSON, with its content type ({@code text/plain; version=0.0.4; …} for Prometheus). */
    static HttpReply text(int status, String contentType, String text) {
        return new HttpReply(status, text, Map.of("Content-Type", contentType), null);
    }

    /** An error answer: the id of its condition and a message that says what is wrong and what to do. */
    static HttpReply error(int status, MessageId id, String message) {
        return error(status, id, message, Map.of());
    }

    static HttpReply error(int status, MessageId id, String message, Map<String, String> headers) {
        ObjectNode o = JSON.createObjectNode().put("status", status).put("id", id.id())
                .put("error", id + " " + message);
        return new HttpReply(status, write(o), headers, id);
    }

    /** A tree of plain values as text; it cannot fail, and a failure would be a bug. */
    static String write(ObjectNode tree) {
        try {
            return JSON.writeValueAsString(tree);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(ServiceMessage.LISTING_NOT_SERIALIZED + " a tree of plain values did "
                    + "not serialize: " + e, e);
        }
    }
}
