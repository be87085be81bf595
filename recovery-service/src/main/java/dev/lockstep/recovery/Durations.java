package dev.lockstep.recovery;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration syntax of the configuration: a whole number and a unit, {@code 500ms}, {@code 10s}, {@code 2m},
 * {@code 1h}. Nothing else (no {@code PT10S}, no spaces, no fractions), so a value reads the same to everyone.
 */
public final class Durations {

    /** Shown in every error message, so the fix is in the message. */
    public static final String ACCEPTED_FORMS = "a whole number followed by ms, s, m or h, e.g. 500ms, 10s, 2m, 1h";

    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,18})(ms|s|m|h)");

    private Durations() {
    }

    /** Parses {@code text}, the value of {@code key}; the duration must be positive. */
    public static Duration parse(String key, String text) throws ConfigException {
        Matcher m = SYNTAX.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new ConfigException(key, key + " = '" + text + "' is not a duration: write " + ACCEPTED_FORMS);
        }
        long amount = Long.parseLong(m.group(1));
        Duration d;
        try {
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
            d.toMillis(); // the scheduler counts in milliseconds
        } catch (ArithmeticException e) {
            throw new ConfigException(key, key + " = '" + text + "' is too long a duration: write " + ACCEPTED_FORMS);
        }
        if (d.isZero()) {
            throw new ConfigException(key, key + " = '" + text + "' must be longer than zero: write "
                    + ACCEPTED_FORMS);
        }
        return d;
    }

    /** The shortest text in the same syntax that {@link #parse} reads back to {@code d} (for messages). */
    public static String format(Duration d) {
        long ms = d.toMillis();
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
