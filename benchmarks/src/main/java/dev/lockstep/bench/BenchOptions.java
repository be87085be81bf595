package dev.lockstep.bench;

import dev.lockstep.bench.micro.Adapter;
import dev.lockstep.bench.micro.Workload;
import dev.lockstep.bench.real.RealAdapter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The harness's command line. The standard set (no option) is what docs/performance.md shows; {@code --quick}
 * proves the harness in about two minutes; {@code --long} is for quiet machines and publishable numbers. Every other
 * option overrides one setting of the chosen set. A bad option stops the harness with a message naming it.
 */
public final class BenchOptions {

    static final String USAGE = """
            usage: bash scripts/bench.sh [options]
              (no option)          the standard set: every adapter, workloads 2pc,1pc,ro on 1,4,16,64 threads,
                                   3 repeats of 2 s windows, then the real resources on 1,4,16 threads (~16 min)
              --quick              1 repeat of 0.5 s windows (proves the harness, ~2 min; numbers are rough)
              --long               5 repeats of 10 s windows (for a quiet machine)
              --repeats=N          repeats of every trial, interleaved (A B A B ...); medians are reported
              --window=DURATION    measured window per thread count, e.g. 2s or 500ms (sets --real-window too)
              --real-window=DURATION  measured window of the real-resource workload (default: as --window, 3 s
                                   in the standard set)
              --warmup=DURATION    warm-up before each later thread count of a trial JVM
              --first-warmup=DURATION  warm-up before the first thread count of a trial JVM
              --threads=LIST       thread counts of the in-memory workloads, e.g. 1,4,16,64
              --real-threads=LIST  thread counts of the real-resource workload, e.g. 1,4,16
              --real-adapters=LIST real-resource systems, by default all of
                                   %s
                                   (floor, floor-parallel and the -raw ones: XA by hand or a TM alone on each
                                   thread's own raw XA connections; lockstep, narayana: the TMs with their pools;
                                   branches: each branch alone by hand, 1 thread). The real section alone:
                                   --no-micro --real-adapters=floor,lockstep-raw,lockstep --real-threads=1,16
              --adapters=LIST      in-memory adapters: %s
                                   (not in the standard set: lockstep-sequential, lockstep-metrics, lockstep-meters,
                                   and the decisions in PostgreSQL of issue 13, lockstep-pgstore, narayana-jdbcstore,
                                   ceiling-pg-row, which start the private PostgreSQL server: run them with
                                   --workloads=2pc --adapters=lockstep-pgstore,narayana-jdbcstore,ceiling-pg-row)
              --workloads=LIST     in-memory workloads: 2pc,1pc,ro
              --no-real            skip the real-resource workload (no servers are started)
              --no-micro           skip the in-memory workloads
              --pool-size=N        JDBC and JMS pool size of the pooled real-resource systems (default 16)
              --out=DIR            where performance.md and its charts go (default: docs)
              --work=DIR           where trial logs and raw results go (default: benchmarks/target/bench)
              --command=TEXT       the command line to print in the report (scripts/bench.sh sets it)
              --jfr                record each trial JVM with Java Flight Recorder (profile settings) into a
                                   .jfr file beside its log, to see what limits a system
              --async-profiler=PATH  profile each trial JVM's CPU with async-profiler (PATH: its
                                   libasyncProfiler.so; itimer, 1 ms) into a .collapsed file of stacks
                                   beside its log (e.g. the tools.profiler:async-profiler jar, unzipped)
              --async-profiler-event=E  itimer (CPU, the default) or wall (every thread's time, blocked too:
                                   where a transaction waits)
              --note=TEXT          a line to put at the top of the report (e.g. who ran it, on what)
            """.formatted(RealAdapter.ids(List.of(RealAdapter.values())), Adapter.ids(List.of(Adapter.values())));

    String set = "standard";
    int repeats = 3;
    Duration window = Duration.ofSeconds(2);
    Duration warmup = Duration.ofMillis(500);
    Duration firstWarmup = Duration.ofMillis(1000);
    Duration realWindow = Duration.ofSeconds(3);
    List<Integer> threads = List.of(1, 4, 16, 64);
    List<Integer> realThreads = List.of(1, 4, 16);
    List<RealAdapter> realAdapters = List.of(RealAdapter.values());
    List<Adapter> adapters = Adapter.standard();
    List<Workload> workloads = List.of(Workload.values());
    boolean real = true;
    boolean micro = true;
    int poolSize = 16;
    Path out = Path.of("docs");
    Path work = Path.of("benchmarks/target/bench");
    String command = "bash scripts/bench.sh";
    String note;
    boolean jfr;
    /** Path of libasyncProfiler.so, or null: no CPU profile. */
    String asyncProfiler;
    String asyncProfilerEvent = "itimer";
    boolean help;
    /**
     * One trial JVM per adapter running all its workloads, instead of one per adapter and workload: fewer JVM starts
     * for the CI smoke test, at the price of JIT state carried from one workload to the next. Not on the command
     * line: the published numbers always isolate each workload.
     */
    boolean jvmPerAdapter;

    static BenchOptions parse(String[] args) {
        BenchOptions o = new BenchOptions();
        // The sets first, so that single options override them whatever their order.
        for (String a : args) {
            if (a.equals("--quick")) {
                o.set = "quick";
                o.repeats = 1;
                o.window = Duration.ofMillis(500);
                o.realWindow = Duration.ofMillis(1000);
                o.warmup = Duration.ofMillis(200);
                o.firstWarmup = Duration.ofMillis(500);
            } else if (a.equals("--long")) {
                o.set = "long";
                o.repeats = 5;
                o.window = Duration.ofSeconds(10);
                o.realWindow = Duration.ofSeconds(10);
                o.warmup = Duration.ofSeconds(2);
                o.firstWarmup = Duration.ofSeconds(5);
            }
        }
        boolean realWindowSet = false;
        for (String a : args) {
            if (a.equals("--quick") || a.equals("--long")) {
                continue;
            }
            if (a.equals("--help") || a.equals("-h")) {
                o.help = true;
                continue;
            }
            if (a.equals("--no-real")) {
                o.real = false;
                continue;
            }
            if (a.equals("--jfr")) {
                o.jfr = true;
                continue;
            }
            if (a.equals("--no-micro")) {
                o.micro = false;
                continue;
            }
            int eq = a.indexOf('=');
            if (!a.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("unknown argument '" + a + "': options are --name=value or one "
                        + "of --quick, --long, --no-real, --no-micro, --jfr, --help");
            }
            String key = a.substring(2, eq);
            String value = a.substring(eq + 1);
            switch (key) {
                case "repeats" -> o.repeats = positive(key, value, 100);
                case "async-profiler-event" -> {
                    if (!value.equals("itimer") && !value.equals("wall")) {
                        throw new IllegalArgumentException("--async-profiler-event: '" + value + "' is neither "
                                + "itimer nor wall");
                    }
                    o.asyncProfilerEvent = value;
                }
                case "async-profiler" -> {
                    if (!java.nio.file.Files.isRegularFile(java.nio.file.Path.of(value))) {
                        throw new IllegalArgumentException("--async-profiler: no file '" + value + "'; give the path "
                                + "of libasyncProfiler.so (linux-x64/ in the tools.profiler:async-profiler jar)");
                    }
                    o.asyncProfiler = java.nio.file.Path.of(value).toAbsolutePath().toString();
                }
                case "window" -> {
                    o.window = duration(key, value);
                    if (!realWindowSet) {
                        o.realWindow = o.window;
                    }
                }
                case "real-window" -> {
                    o.realWindow = duration(key, value);
                    realWindowSet = true;
                }
                case "warmup" -> o.warmup = duration(key, value);
                case "first-warmup" -> o.firstWarmup = duration(key, value);
                case "threads" -> o.threads = ints(key, value);
                case "real-threads" -> o.realThreads = ints(key, value);
                case "real-adapters" -> o.realAdapters = byIds(key, value, RealAdapter::byId);
                case "adapters" -> o.adapters = byIds(key, value, Adapter::byId);
                case "workloads" -> o.workloads = byIds(key, value, Workload::byId);
                case "pool-size" -> o.poolSize = positive(key, value, 1000);
                case "out" -> o.out = Path.of(value);
                case "work" -> o.work = Path.of(value);
                case "command" -> o.command = value;
                case "note" -> o.note = value;
                default -> throw new IllegalArgumentException("unknown option --" + key + "=; see --help");
            }
        }
        for (int t : o.realThreads) {
            if (t > dev.lockstep.bench.real.RealServers.ROWS) {
                throw new IllegalArgumentException("--real-threads: at most "
                        + dev.lockstep.bench.real.RealServers.ROWS + " threads (one table row each), got " + t);
            }
        }
        return o;
    }

    private static List<String> list(String key, String value) {
        List<String> items = new ArrayList<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                items.add(s.trim());
            }
        }
        if (items.isEmpty()) {
            throw new IllegalArgumentException("--" + key + "= is empty: give a comma-separated list");
        }
        return items;
    }

    /** The items of a list option, each looked up by its id; an unknown id names the option. */
    private static <T> List<T> byIds(String key, String value, Function<String, T> byId) {
        List<T> list = new ArrayList<>();
        for (String id : list(key, value)) {
            try {
                list.add(byId.apply(id));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + key + ": " + e.getMessage());
            }
        }
        return List.copyOf(list);
    }

    private static List<Integer> ints(String key, String value) {
        List<Integer> list = new ArrayList<>();
        for (String s : list(key, value)) {
            list.add(positive(key, s, 1024));
        }
        return List.copyOf(list);
    }

    private static int positive(String key, String value, int max) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--" + key + "=" + value + " is not a whole number from 1 to " + max);
    }

    static Duration duration(String key, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (v.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("s")) {
                d = Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            } else {
                throw new NumberFormatException();
            }
            if (d.toMillis() >= 100 && d.toMinutes() <= 10) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--" + key + "=" + value + " is not a duration from 100ms to 10 minutes "
                + "(write e.g. 500ms, 2s or 1.5s)");
    }

    /** Whether a real-resource adapter runs in this run. */
    boolean runs(RealAdapter a) {
        return real && realAdapters.contains(a);
    }

    /** Whether an adapter runs a workload in this run. */
    boolean runs(Adapter a, Workload w) {
        return adapters.contains(a) && workloads.contains(w) && a.runs(w);
    }

    String describe() {
        return set + " set: " + repeats + " repeat(s), " + ms(window) + " windows (real resources " + ms(realWindow)
                + "), warm-up " + ms(firstWarmup) + " before the first thread count of a trial JVM and " + ms(warmup)
                + " before each later one";
    }

    static String ms(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
