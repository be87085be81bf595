package dev.lockstep.recoveryservice;

import dev.lockstep.tm.settings.DurationSyntax;
import java.time.Duration;

/**
 * The configuration's durations: Lockstep's one {@link DurationSyntax} ({@code 500ms}, {@code 10s}, {@code 2m},
 * {@code 1h}, or ISO-8601 {@code PT10S}), the same as JNDI attributes and Spring Boot properties, with errors in the
 * service's form ({@code key = 'text' …}, as a {@link ConfigException} naming the key). Every duration of the
 * service's file must be longer than zero.
 */
public final class Durations {

    /** Shown in every error message, so the fix is in the message. */
    public static final String ACCEPTED_FORMS = DurationSyntax.ACCEPTED_FORMS;

    private Durations() {
    }

    /** Parses {@code text}, the value of {@code key}; the duration must be positive. */
    public static Duration parse(String key, String text) throws ConfigException {
        Duration d;
        try {
            d = DurationSyntax.parse(text == null ? "" : text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, key + " = '" + text + "' is not a duration: " + e.getMessage(), e);
        }
        if (d.isZero()) {
            throw new ConfigException(key, key + " = '" + text + "' must be longer than zero: " + ACCEPTED_FORMS);
        }
        return d;
    }

    /** The shortest text in the same syntax that {@link #parse} reads back to {@code d} (for messages). */
    public static String format(Duration d) {
        return DurationSyntax.format(d);
    }
}
