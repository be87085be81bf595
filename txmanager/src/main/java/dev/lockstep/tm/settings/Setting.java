package dev.lockstep.tm.settings;

import java.util.Objects;
import java.util.function.Function;

/**
 * One setting, described once: its name (the {@code Lockstep.Builder} method and the JNDI attribute), its key in
 * properties files (Spring Boot: {@code lockstep.<key>}), its unit and bounds, its default, what it means, how its
 * text is read and how its value is checked. Every way of configuring Lockstep reads the same descriptor, so a bound
 * is enforced once, under the name the user wrote, and the README's tables are rendered from it.
 *
 * <p>{@link #problem} says what is wrong with a value without naming the setting ({@code "must be between 0s and
 * 1s, got 2s"}), so that each front puts its own name in front: the builder method, the property key, the
 * attribute or the key of the service's file.
 *
 * @param <T> the type of the value
 */
public final class Setting<T> {

    /** What a value must be: the bound as the README states it, and the check of one value. */
    public interface Check<T> {

        /** The bound for tables and messages, e.g. {@code "0s–1s"}; empty when any value goes. */
        String describe();

        /** Null if {@code value} (never null) is within the bound, else {@code "must be …, got …"}. */
        String problem(T value);
    }

    private final String name;
    private final String propertyKey;
    private final String unit;
    private final T defaultValue;
    private final String defaultText;
    private final Check<T> check;
    private final Function<String, T> parser;
    private final Function<T, String> formatter;
    private final String meaning;

    Setting(String name, String propertyKey, String unit, T defaultValue, String defaultText, Check<T> check,
            Function<String, T> parser, Function<T, String> formatter, String meaning) {
        this.name = Objects.requireNonNull(name, "name");
        this.propertyKey = propertyKey;
        this.unit = Objects.requireNonNull(unit, "unit");
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.check = Objects.requireNonNull(check, "check");
        this.parser = parser;
        this.formatter = Objects.requireNonNull(formatter, "formatter");
        this.meaning = Objects.requireNonNull(meaning, "meaning");
    }

    /** The builder method and JNDI attribute, e.g. {@code groupCommitMaxWait}. */
    public String name() {
        return name;
    }

    /**
     * The key in a properties file, e.g. {@code group-commit-max-wait} (Spring Boot: under {@code lockstep.}); null
     * for a setting that is only code (a clock, a hook).
     */
    public String propertyKey() {
        return propertyKey;
    }

    /** The unit or format with the bound, as the README states it, e.g. {@code "duration, 0s–1s"}. */
    public String unit() {
        return check.describe().isEmpty() ? unit : unit + ", " + check.describe();
    }

    /** The default value; null when the setting is required or its default is not a value (the system clock). */
    public T defaultValue() {
        return defaultValue;
    }

    /** The default as the README states it: the formatted value, "required", or words. */
    public String defaultText() {
        return defaultText;
    }

    /** Whether a value must be given. */
    public boolean required() {
        return "required".equals(defaultText);
    }

    /** What the setting does, for the README. */
    public String meaning() {
        return meaning;
    }

    /** Whether the setting can be written as text (in a properties file or a JNDI attribute). */
    public boolean readsText() {
        return parser != null;
    }

    /**
     * The value {@code text} says, in the one syntax of its type (durations: {@link DurationSyntax}); an
     * {@link IllegalArgumentException} saying how to write it otherwise. Does not check the bound.
     */
    public T parse(String text) {
        if (parser == null) {
            throw new IllegalArgumentException(name + " cannot be written as text; set it in code");
        }
        return parser.apply(text == null ? null : text.strip());
    }

    /** {@code value} in the syntax {@link #parse} reads. */
    public String format(T value) {
        return value == null ? "none" : formatter.apply(value);
    }

    /** Null if {@code value} is valid, else what is wrong and the bound, without the setting's name. */
    public String problem(T value) {
        if (value == null) {
            return "is missing";
        }
        return check.problem(value);
    }

    /**
     * {@code value}, or an {@link IllegalArgumentException} naming this setting as a builder method and as a
     * property, its bound, and what to do.
     */
    public T require(T value) {
        String p = problem(value);
        if (p != null) {
            throw new IllegalArgumentException(name + " " + p + ": " + fix());
        }
        return value;
    }

    /** What to do about a bad value, naming where it is set. */
    public String fix() {
        String where = "Lockstep.Builder." + name + "(…)" + (propertyKey == null ? ""
                : " (JNDI attribute " + name + ", Spring Boot property lockstep." + propertyKey + ")");
        String bound = check.describe();
        return bound.isEmpty() ? "set " + where : "give " + where + " a value within " + bound;
    }

    @Override
    public String toString() {
        return name;
    }
}
