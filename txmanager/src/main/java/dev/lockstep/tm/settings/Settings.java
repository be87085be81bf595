package dev.lockstep.tm.settings;

import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.spi.CrashPoint;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The table of Lockstep's settings: every setting of {@code Lockstep.builder()} and the recovery settings that the
 * Spring Boot starter and the recovery service share, each described once. The README's "Settings" table is rendered
 * from {@link #BUILDER} (SettingsTableTest fails when they differ).
 */
public final class Settings {

    /** Log segments: enough for many records, and offsets stay well inside an int and quick to scan. */
    public static final long MIN_LOG_SEGMENT_BYTES = 64L << 10;
    public static final long MAX_LOG_SEGMENT_BYTES = 1L << 30;
    public static final int MIN_GROUP_COMMIT_BATCH_BYTES = 4096;
    /** Every committer may wait this long for its decision, so more is never a good trade. */
    public static final Duration MAX_GROUP_COMMIT_WAIT = Duration.ofSeconds(1);
    public static final int MAX_PHASE_THREADS = 256;

    public static final Setting<String> NODE_ID = new Setting<>("nodeId", "node-id", "text, `[A-Za-z0-9._-]`",
            null, "required", nodeIdCheck(), Function.identity(), Function.identity(),
            "identity of this TM in every XID and in the log's directory name; unique among the TMs that share "
            + "resources, the same after a restart");

    public static final Setting<Path> LOG_DIRECTORY = new Setting<>("logDirectory", "log-directory", "path", null,
            "required", any(), Settings::path, Path::toString,
            "where the decision log lives (`<logDirectory>/<nodeId>/`); must be writable; a second Lockstep on the "
            + "same node id and directory is refused");

    public static final Setting<Duration> DEFAULT_TIMEOUT = duration("defaultTimeout", "default-timeout",
            Duration.ofSeconds(60), wholeSeconds(), "timeout of a transaction whose thread did not call "
            + "`setTransactionTimeout`; past it the reaper rolls it back and it may no longer decide to commit");

    public static final Setting<Boolean> PARALLEL_PHASES = new Setting<>("parallelPhases", "parallel-phases",
            "boolean", true, "true", any(), Settings::bool, String::valueOf,
            "prepare and commit the branches of one transaction in parallel where that pays: Lockstep learns each "
            + "resource's call time and hands a call to another thread only when the calls after the first are "
            + "expected to take 100 µs or more (a database's prepare does; an in-memory or read-only resource does "
            + "not), and only while fewer transactions than the machine has cores are in a phase (under load every "
            + "core already has a committer to run, and the committer makes its calls itself)");

    public static final Setting<Integer> PHASE_THREADS = new Setting<>("phaseThreads", "phase-threads", "threads", 8,
            "8", between(1L, MAX_PHASE_THREADS, String::valueOf), text -> (int) number(text, Integer.MAX_VALUE),
            String::valueOf, "size of the shared executor for parallel phases (the committing thread always takes "
            + "one branch itself)");

    public static final Setting<Duration> RETRY_INITIAL_DELAY = duration("retryInitialDelay", "retry-initial-delay",
            Duration.ofSeconds(1), positive(), "first background retry of a branch that phase two could not reach "
            + "(jittered to 50–100 %)");

    public static final Setting<Duration> RETRY_MAX_DELAY = duration("retryMaxDelay", "retry-max-delay",
            Duration.ofSeconds(30), positive(), "cap of the exponential backoff of those retries; at least "
            + "`retryInitialDelay`");

    public static final Setting<Duration> TIMEOUT_CHECK_INTERVAL = duration("timeoutCheckInterval",
            "timeout-check-interval", Duration.ofMillis(100), positive(),
            "how often the reaper looks for transactions past their deadline");

    public static final Setting<Duration> LOST_BRANCH_WINDOW = duration("lostBranchWindow", "lost-branch-window",
            Duration.ofSeconds(5), positive(), "a first commit answered `XAER_NOTA` within this time of the decision "
            + "is a lost branch (heuristic); later, `recover()` decides, since a recovery service may have committed "
            + "it; keep the recovery's orphan safety interval above it");

    public static final Setting<Duration> DRAIN_TIMEOUT = duration("drainTimeout", "drain-timeout",
            Duration.ofSeconds(10), notNegative(), "how long `close()` waits for running transactions before rolling "
            + "them back");

    public static final Setting<Long> LOG_SEGMENT_BYTES = new Setting<>("logSegmentBytes", "log-segment-size",
            "bytes", 16L << 20, "16 MiB", between(MIN_LOG_SEGMENT_BYTES, MAX_LOG_SEGMENT_BYTES, Settings::bytes),
            text -> number(text, Long.MAX_VALUE), String::valueOf, "size of one preallocated log segment file");

    public static final Setting<Integer> GROUP_COMMIT_MAX_BATCH_BYTES = new Setting<>("groupCommitMaxBatchBytes",
            "group-commit-max-batch-size", "bytes", 1 << 20, "1 MiB",
            between(MIN_GROUP_COMMIT_BATCH_BYTES, Integer.MAX_VALUE, Settings::bytes),
            text -> (int) number(text, Integer.MAX_VALUE), String::valueOf,
            "most bytes one forced write of the log covers");

    public static final Setting<Duration> GROUP_COMMIT_MAX_WAIT = duration("groupCommitMaxWait",
            "group-commit-max-wait", Duration.ZERO, durationBetween(Duration.ZERO, MAX_GROUP_COMMIT_WAIT),
            "how long a group commit may wait for more committers before forcing (0s: never waits; concurrent "
            + "committers still share forces); every committer may wait that long for its decision");

    public static final Setting<Clock> CLOCK = new Setting<>("clock", null, "`java.time.Clock`", Clock.systemUTC(),
            "system UTC", any(), null, String::valueOf, "time of deadlines and log records (tests)");

    public static final Setting<CrashPoint.Hook> CRASH_HOOK = new Setting<>("crashHook", null, "`CrashPoint.Hook`",
            CrashPoint.Hook.NONE, "none", any(), null, String::valueOf,
            "called at the crash points C1–C7 of [docs/design.md](docs/design.md) (crash tests)");

    public static final Setting<Boolean> IN_PROCESS_RECOVERY = new Setting<>("inProcessRecovery", null, "boolean",
            true, "true", any(), Settings::bool, String::valueOf,
            "scan the resources registered with this Lockstep every `recoveryInterval` and finish what earlier "
            + "incarnations of this node left in doubt (with the database store: also every node whose lease expired), "
            + "as the recovery service would; only while resources are registered by name (the pools register "
            + "theirs); a turn is skipped while another recovery holds the node. Spring Boot: the starter's "
            + "`lockstep.recovery.*` runs it instead");

    public static final Setting<Duration> RECOVERY_INTERVAL = duration("recoveryInterval", null,
            Duration.ofSeconds(30), positive(), "time from the start to the first in-process recovery scan, and "
            + "between the end of one and the start of the next");

    /**
     * How long past a live transaction's deadline, or past a live COMMIT decision, recovery waits before acting in
     * its owner's place (Spring Boot: {@code lockstep.recovery.orphan-safety-interval}; the recovery service:
     * {@code orphan.safety.interval}). Above every TM's {@link #LOST_BRANCH_WINDOW}.
     */
    public static final Setting<Duration> ORPHAN_SAFETY_INTERVAL = duration("orphanSafetyInterval",
            "recovery.orphan-safety-interval", Duration.ofSeconds(30), positive(), "how long past a live "
            + "transaction's deadline, or past a live COMMIT decision, recovery waits before acting in its owner's "
            + "place; keep it above the TMs' `lostBranchWindow` and any clock difference");

    /** Every setting of {@code Lockstep.builder()}, in the README's order. */
    public static final List<Setting<?>> BUILDER = List.of(NODE_ID, LOG_DIRECTORY, DEFAULT_TIMEOUT, PARALLEL_PHASES,
            PHASE_THREADS, RETRY_INITIAL_DELAY, RETRY_MAX_DELAY, TIMEOUT_CHECK_INTERVAL, LOST_BRANCH_WINDOW,
            DRAIN_TIMEOUT, LOG_SEGMENT_BYTES, GROUP_COMMIT_MAX_BATCH_BYTES, GROUP_COMMIT_MAX_WAIT, IN_PROCESS_RECOVERY,
            RECOVERY_INTERVAL, CLOCK, CRASH_HOOK);

    private Settings() {
    }

    /** The builder setting named {@code name}, or null. */
    public static Setting<?> builderSetting(String name) {
        for (Setting<?> s : BUILDER) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /**
     * Null, or why {@code max} cannot be the cap of a backoff that starts at {@code initial}, which the caller calls
     * {@code initialName}; the text follows the caller's name of the cap.
     */
    public static String backoffProblem(Duration initial, Duration max, String initialName) {
        if (initial == null || max == null || max.compareTo(initial) >= 0) {
            return null;
        }
        return "(" + DurationSyntax.format(max) + ") is shorter than " + initialName + " ("
                + DurationSyntax.format(initial) + "): the cap of the backoff must be at least its first delay";
    }

    /**
     * Null, or why {@code orphanSafety} is too short beside a TM's {@code lostBranchWindow}, which the caller calls
     * {@code windowName}; the text follows the caller's name of the orphan safety interval.
     */
    public static String orphanSafetyProblem(Duration orphanSafety, Duration lostBranchWindow, String windowName) {
        if (orphanSafety == null || lostBranchWindow == null || orphanSafety.compareTo(lostBranchWindow) > 0) {
            return null;
        }
        return "(" + DurationSyntax.format(orphanSafety) + ") must be longer than " + windowName + " ("
                + DurationSyntax.format(lostBranchWindow) + "), or recovery could commit a branch under the "
                + "transaction manager's first commit and turn it into a false lost-branch heuristic";
    }

    /** A duration setting, read in the one {@link DurationSyntax}. */
    public static Setting<Duration> duration(String name, String propertyKey, Duration dflt, Setting.Check<Duration> c,
            String meaning) {
        return new Setting<>(name, propertyKey, "duration", dflt, dflt == null ? "required"
                : DurationSyntax.format(dflt), c, DurationSyntax::parse, DurationSyntax::format, meaning);
    }

    /**
     * A whole-number setting of a tool outside the builder (the recovery service's {@code http.port}): {@code dflt}
     * may be null for "not set", with {@code defaultText} saying what that means.
     */
    public static Setting<Integer> integer(String name, String propertyKey, String unit, Integer dflt,
            String defaultText, Setting.Check<Integer> c, String meaning) {
        return new Setting<>(name, propertyKey, unit, dflt, defaultText, c,
                text -> (int) number(text, Integer.MAX_VALUE), String::valueOf, meaning);
    }

    /**
     * A text setting of a tool outside the builder (an address, the name of an environment variable, a path kept
     * as written so that the tool resolves it against its own base): {@code dflt} may be null for "not set".
     */
    public static Setting<String> text(String name, String propertyKey, String unit, String dflt, String defaultText,
            Setting.Check<String> c, String meaning) {
        return new Setting<>(name, propertyKey, unit, dflt, defaultText, c, Function.identity(), Function.identity(),
                meaning);
    }

    /** Any value goes (beyond not being null). */
    public static <T> Setting.Check<T> any() {
        return new Setting.Check<>() {
            @Override
            public String describe() {
                return "";
            }

            @Override
            public String problem(T value) {
                return null;
            }
        };
    }

    /** A duration longer than zero. */
    public static Setting.Check<Duration> positive() {
        return new Setting.Check<>() {
            @Override
            public String describe() {
                return "> 0";
            }

            @Override
            public String problem(Duration d) {
                return d.isNegative() || d.isZero() ? "must be positive, got " + DurationSyntax.format(d) : null;
            }
        };
    }

    /** A duration of zero or more. */
    public static Setting.Check<Duration> notNegative() {
        return new Setting.Check<>() {
            @Override
            public String describe() {
                return "≥ 0s";
            }

            @Override
            public String problem(Duration d) {
                return d.isNegative() ? "must be >= 0, got " + DurationSyntax.format(d) : null;
            }
        };
    }

    /** A duration from {@code min} to {@code max}, both included. */
    public static Setting.Check<Duration> durationBetween(Duration min, Duration max) {
        return new Setting.Check<>() {
            @Override
            public String describe() {
                return DurationSyntax.format(min) + "–" + DurationSyntax.format(max);
            }

            @Override
            public String problem(Duration d) {
                return d.compareTo(min) < 0 || d.compareTo(max) > 0 ? "must be between " + DurationSyntax.format(min)
                        + " and " + DurationSyntax.format(max) + ", got " + DurationSyntax.format(d) : null;
            }
        };
    }

    /** A JTA timeout: whole seconds, at least one, fitting {@code setTransactionTimeout(int)}. */
    public static Setting.Check<Duration> wholeSeconds() {
        return new Setting.Check<>() {
            @Override
            public String describe() {
                return "whole seconds, ≥ 1s";
            }

            @Override
            public String problem(Duration d) {
                if (d.isNegative() || d.isZero()) {
                    return "must be positive, got " + DurationSyntax.format(d);
                }
                if (d.toSeconds() < 1 || d.toNanos() % 1_000_000_000L != 0 || d.toSeconds() > Integer.MAX_VALUE) {
                    return "must be a whole number of seconds, at least 1 s (JTA timeouts are in seconds), got "
                            + DurationSyntax.format(d);
                }
                return null;
            }
        };
    }

    /** A whole number from {@code min} to {@code max}, both included, shown with {@code show}. */
    public static <N extends Number> Setting.Check<N> between(long min, long max, Function<Long, String> show) {
        return new Setting.Check<>() {
            @Override
            public String describe() {
                return max == Integer.MAX_VALUE || max == Long.MAX_VALUE ? "≥ " + show.apply(min)
                        : show.apply(min) + "–" + show.apply(max);
            }

            @Override
            public String problem(N value) {
                long v = value.longValue();
                if (v >= min && v <= max) {
                    return null;
                }
                return "must be between " + shown(min) + " and " + shown(max) + ", got " + shown(v);
            }

            private String shown(long n) {
                String s = show.apply(n);
                return s.equals(String.valueOf(n)) ? s : n + " (" + s + ")";
            }
        };
    }

    /** A byte count as the README writes it: 64 KiB, 16 MiB, 1 GiB, or plain bytes. */
    public static String bytes(long n) {
        String[] units = {"GiB", "MiB", "KiB"};
        int[] shifts = {30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << shifts[i];
            if (n >= unit && n % unit == 0) {
                return n / unit + " " + units[i];
            }
        }
        return String.valueOf(n);
    }

    private static Setting.Check<String> nodeIdCheck() {
        return new Setting.Check<>() {
            @Override
            public String describe() {
                return "1–34 chars";
            }

            @Override
            public String problem(String id) {
                try {
                    LogLayout.checkNodeId(id);
                    return null;
                } catch (IllegalArgumentException e) {
                    // The log's own message starts with the setting's name; the caller puts its own name there.
                    String m = e.getMessage();
                    return m.startsWith("nodeId ") ? m.substring("nodeId ".length()) : m;
                }
            }
        };
    }

    private static Path path(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("write the path of a directory, e.g. /var/lib/lockstep");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("write a path this system accepts (" + e.getReason() + ")", e);
        }
    }

    private static boolean bool(String text) {
        if ("true".equalsIgnoreCase(text) || "false".equalsIgnoreCase(text)) {
            return Boolean.parseBoolean(text.toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("write true or false");
    }

    private static long number(String text, long max) {
        try {
            long n = Long.parseLong(text);
            if (n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("write a whole number, at most " + max);
    }
}
