package dev.lockstep.recoveryservice;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Builds one logfmt line: {@code key=value} pairs separated by spaces, a value quoted when it holds a space, a quote,
 * an equals sign or is empty, with {@code \"}, {@code \\}, {@code \n} escaped inside quotes. A null value leaves its
 * key out. Timestamps are UTC with milliseconds, {@code 2026-11-21T10:00:00.123Z}.
 */
final class Logfmt {

    private static final DateTimeFormatter TS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final StringBuilder sb = new StringBuilder(160);

    Logfmt(Instant ts, String level, String event) {
        add("ts", ts(ts)).add("level", level).add("event", event);
    }

    static String ts(Instant t) {
        return t == null ? null : TS.format(t);
    }

    Logfmt add(String key, Object value) {
        if (value == null) {
            return this;
        }
        if (!sb.isEmpty()) {
            sb.append(' ');
        }
        sb.append(key).append('=');
        String v = value instanceof Instant i ? ts(i) : String.valueOf(value);
        if (needsQuotes(v)) {
            sb.append('"');
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> sb.append(c);
                }
            }
            sb.append('"');
        } else {
            sb.append(v);
        }
        return this;
    }

    private static boolean needsQuotes(String v) {
        if (v.isEmpty()) {
            return true;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c <= ' ' || c == '"' || c == '=' || c == '\\' || Character.isISOControl(c)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
