package dev.lockstep.tm.settings;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one syntax of a duration written as text, wherever Lockstep reads one (JNDI attributes, the recovery service's
 * file, Spring Boot properties): a whole number directly followed by a unit, {@code 500ms}, {@code 10s}, {@code 2m},
 * {@code 1h}, or an ISO-8601 duration as {@link Duration#parse} reads it, {@code PT10S}, {@code PT0.5S}.
 *
 * <p>Both forms are what users already write: the short one is what the JNDI factory and the recovery service read,
 * and Spring Boot reads both. Nothing else: no bare number (is {@code 10} seconds or milliseconds?), no spaces, no
 * sign, no fractions in the short form. A negative duration is refused here; whether zero is allowed is the
 * setting's bound, not the syntax's.
 */
public final class DurationSyntax {

    /** What the syntax accepts; in every error message, so the fix is in the message. */
    public static final String ACCEPTED_FORMS = "write a duration as a whole number and a unit: 500ms, 10s, 2m, 1h "
            + "(ms, s, m or h), or ISO-8601 such as PT10S";

    private static final Pattern SHORT = Pattern.compile("(\\d{1,18})(ms|s|m|h)");

    private DurationSyntax() {
    }

    /**
     * The duration {@code text} says; an {@link IllegalArgumentException} when it is not in the syntax, is negative, or
     * is too long to count in milliseconds (the schedulers do). Its message is what to write instead, ending with
     * {@link #ACCEPTED_FORMS}, for the caller to put after its own name of the setting and the text.
     */
    public static Duration parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException(ACCEPTED_FORMS);
        }
        Duration d;
        Matcher m = SHORT.matcher(text);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            } else if (text.startsWith("P") || text.startsWith("p")) {
                d = Duration.parse(text);
            } else {
                throw new IllegalArgumentException(ACCEPTED_FORMS);
            }
            d.toMillis();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("it is too long; " + ACCEPTED_FORMS, e);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(ACCEPTED_FORMS, e);
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("it is negative; " + ACCEPTED_FORMS);
        }
        return d;
    }

    /**
     * The shortest text in the short form that {@link #parse} reads back to {@code d} (for messages and tables); the
     * ISO-8601 form when {@code d} is not a whole number of milliseconds or is negative.
     */
    public static String format(Duration d) {
        if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
