package dev.lockstep.recoveryservice;

import java.util.regex.Pattern;

/**
 * The text of a server-sent events stream (the WHATWG HTML "server-sent events" format): an event is its {@code id:},
 * {@code event:} and {@code data:} lines and a blank line; a line starting with a colon is a comment, which clients
 * ignore. Data that holds line breaks is sent as one {@code data:} line per line (a client joins them with
 * {@code \n}), so no text can end an event early or forge a field; the service's JSON is on one line anyway.
 */
final class SseFormat {

    /** Every line break the format knows: CRLF, LF and CR. */
    private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\r|\n");

    /** What keeps an idle stream's connection open through proxies; not an event. */
    static final String HEARTBEAT = ": heartbeat\n\n";

    private SseFormat() {
    }

    /** One event with its id, type and data. */
    static String frame(FeedEvent e) {
        return frame(Long.toString(e.id()), e.type(), e.json());
    }

    /**
     * One event; {@code id} null for an event without id (a client's last id stays what it was). The id and type
     * are the service's own (digits, lower-case words); a line break in them would be a bug.
     */
    static String frame(String id, String type, String data) {
        StringBuilder sb = new StringBuilder(data.length() + 32);
        if (id != null) {
            sb.append("id: ").append(oneLine("id", id)).append('\n');
        }
        sb.append("event: ").append(oneLine("event", type)).append('\n');
        for (String line : LINE_BREAK.split(data, -1)) {
            sb.append("data: ").append(line).append('\n');
        }
        return sb.append('\n').toString();
    }

    private static String oneLine(String field, String value) {
        if (LINE_BREAK.matcher(value).find() || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an SSE " + field + " must be one line without NUL: " + value);
        }
        return value;
    }
}
