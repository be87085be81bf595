package dev.lockstep.recoveryservice;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration file (or a command-line value standing for one of its settings) cannot be used. Each problem
 * names its key and says how to fix it; the commands print one error line per problem and exit with
 * {@link ExitCodes#USAGE}.
 */
public final class ConfigException extends Exception {

    /** One thing wrong: the key (or option) at fault, or null for the whole file, and what to do about it. */
    public record Problem(String key, String message) {
    }

    private final transient List<Problem> problems;

    public ConfigException(String key, String message) {
        this(key, message, null);
    }

    public ConfigException(String key, String message, Throwable cause) {
        super(message, cause);
        this.problems = List.of(new Problem(key, message));
    }

    /** Several problems found in one read of the file, in the order they were found. */
    public ConfigException(List<Problem> problems) {
        super(problems.stream().map(Problem::message).collect(Collectors.joining("; ")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** The key (or option) of the first problem, or null if it concerns the whole file. */
    public String key() {
        return problems.get(0).key();
    }

    /** Every problem, each with its key. */
    public List<Problem> problems() {
        return problems;
    }
}
