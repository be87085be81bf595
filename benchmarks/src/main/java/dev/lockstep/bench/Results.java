package dev.lockstep.bench;

import dev.lockstep.bench.trial.Fields;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Every result line of a run, and their medians over the repeats. */
final class Results {

    private final List<Map<String, String>> cells = new ArrayList<>();
    private final Map<String, Map<String, String>> configs = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final Map<String, String> facts = new LinkedHashMap<>();
    private final List<Double> loads = new ArrayList<>();

    /** Samples the 1-minute load average of the machine (before each trial): how quiet the run was. */
    void sampleLoad() {
        try {
            loads.add(Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]));
        } catch (IOException | RuntimeException e) {
            // not Linux: the report says unknown
        }
    }

    /** min / median / max of the load samples, or null if none. */
    String loadSummary() {
        if (loads.isEmpty()) {
            return null;
        }
        List<Double> sorted = new ArrayList<>(loads);
        sorted.sort(null);
        return String.format(java.util.Locale.ROOT, "%.1f / %.1f / %.1f (min / median / max of %d samples, one "
                + "before each trial; %d cores)", sorted.get(0), median(sorted), sorted.get(sorted.size() - 1),
                sorted.size(), Runtime.getRuntime().availableProcessors());
    }

    /** Reads one trial's output file; lines of kind cell get {@code repeat}. */
    void read(Path out, int repeat) throws IOException {
        if (!Files.exists(out)) {
            return;
        }
        for (String line : Files.readAllLines(out)) {
            Map<String, String> f = Fields.parse(line);
            switch (f.getOrDefault("kind", "")) {
                case "cell" -> {
                    f.put("repeat", Integer.toString(repeat));
                    cells.add(f);
                }
                case "config" -> configs.computeIfAbsent(f.get("adapter"), k -> new LinkedHashMap<>())
                        .putIfAbsent(f.get("key"), f.get("value"));
                case "check" -> {
                    if (!"true".equals(f.get("valid"))) {
                        failures.add(f.get("adapter") + ": " + f.get("problems"));
                    }
                }
                default -> { }
            }
        }
    }

    /** A trial that produced no (or not every) result: the cells it should have measured are marked invalid. */
    void trialFailed(String adapter, String workload, List<Integer> threads, int repeat, String why) {
        failures.add(adapter + " " + workload + " (repeat " + repeat + "): " + why);
        for (int t : threads) {
            boolean present = cells.stream().anyMatch(c -> adapter.equals(c.get("adapter"))
                    && workload.equals(c.get("workload")) && Integer.toString(t).equals(c.get("threads"))
                    && Integer.toString(repeat).equals(c.get("repeat")));
            if (!present) {
                Map<String, String> f = new LinkedHashMap<>();
                f.put("kind", "cell");
                f.put("adapter", adapter);
                f.put("workload", workload);
                f.put("threads", Integer.toString(t));
                f.put("repeat", Integer.toString(repeat));
                f.put("valid", "false");
                f.put("problems", why);
                cells.add(f);
            }
        }
    }

    void fact(String key, String value) {
        facts.put(key, value);
    }

    Map<String, String> facts() {
        return facts;
    }

    Map<String, Map<String, String>> configs() {
        return configs;
    }

    List<String> failures() {
        return failures;
    }

    private List<Map<String, String>> of(String adapter, String workload, int threads) {
        List<Map<String, String>> list = new ArrayList<>();
        for (Map<String, String> c : cells) {
            if (adapter.equals(c.get("adapter")) && workload.equals(c.get("workload"))
                    && Integer.toString(threads).equals(c.get("threads"))) {
                list.add(c);
            }
        }
        return list;
    }

    boolean has(String adapter, String workload, int threads) {
        return !of(adapter, workload, threads).isEmpty();
    }

    /** Valid when measured at least once and every repeat was valid. */
    boolean valid(String adapter, String workload, int threads) {
        List<Map<String, String>> list = of(adapter, workload, threads);
        return !list.isEmpty() && list.stream().allMatch(c -> "true".equals(c.get("valid")));
    }

    /** The distinct problems of a cell's repeats. */
    Set<String> problems(String adapter, String workload, int threads) {
        Set<String> set = new LinkedHashSet<>();
        for (Map<String, String> c : of(adapter, workload, threads)) {
            if (c.get("problems") != null) {
                set.add(c.get("problems"));
            }
        }
        return set;
    }

    /** The median of {@code field} over the valid repeats of a cell, NaN if none has it (or it is -1: n/a). */
    double median(String adapter, String workload, int threads, String field) {
        List<Double> values = new ArrayList<>();
        for (Map<String, String> c : of(adapter, workload, threads)) {
            String v = c.get(field);
            if ("true".equals(c.get("valid")) && v != null && !v.equals("-1")) {
                values.add(Double.parseDouble(v));
            }
        }
        return median(values);
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] a = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        int n = a.length;
        return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
    }

    int repeatsOf(String adapter, String workload, int threads) {
        return of(adapter, workload, threads).size();
    }

    boolean anyInvalid() {
        return !failures.isEmpty() || cells.stream().anyMatch(c -> !"true".equals(c.get("valid")));
    }

    List<Map<String, String>> invalidCells() {
        List<Map<String, String>> list = new ArrayList<>();
        for (Map<String, String> c : cells) {
            if (!"true".equals(c.get("valid"))) {
                list.add(c);
            }
        }
        return list;
    }
}
