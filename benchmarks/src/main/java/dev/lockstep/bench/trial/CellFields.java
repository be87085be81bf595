package dev.lockstep.bench.trial;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The result line of one measured cell (adapter × workload × threads), written by every kind of trial. */
public final class CellFields {

    private CellFields() {
    }

    public static Map<String, Object> of(String adapter, String workload, Segment s, List<String> problems,
            Map<String, Long> counterDeltas) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("kind", "cell");
        f.put("adapter", adapter);
        f.put("workload", workload);
        f.put("threads", s.threads());
        f.put("tps", String.format(java.util.Locale.ROOT, "%.1f", s.throughput()));
        f.put("completed", s.completed());
        putLatency(f, "lat", s.latency());
        if (s.commitLatency().getTotalCount() > 0) {
            putLatency(f, "commit", s.commitLatency());
        }
        f.put("wcharPerTx", round(s.perTx(s.wchar())));
        f.put("writeBytesPerTx", round(s.perTx(s.writeBytes())));
        f.put("allocPerTx", round(s.perTx(s.allocatedBytes())));
        double cpu = s.perTx(s.cpuNanos());
        f.put("cpuUsPerTx", round(cpu < 0 ? -1 : cpu / 1000));
        double jit = s.perTx(s.jitNanos());
        f.put("jitUsPerTx", round(jit < 0 ? -1 : jit / 1000));
        for (Map.Entry<String, Long> e : counterDeltas.entrySet()) {
            f.put("ctr." + e.getKey(), e.getValue());
        }
        f.put("valid", problems.isEmpty());
        if (!problems.isEmpty()) {
            f.put("problems", String.join("; ", problems));
        }
        return f;
    }

    private static void putLatency(Map<String, Object> f, String prefix, Histogram h) {
        f.put(prefix + "P50us", micros(h.getValueAtPercentile(50)));
        f.put(prefix + "P99us", micros(h.getValueAtPercentile(99)));
        f.put(prefix + "P999us", micros(h.getValueAtPercentile(99.9)));
    }

    private static String micros(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1000.0);
    }

    private static String round(double v) {
        return v < 0 ? "-1" : String.format(java.util.Locale.ROOT, "%.1f", v);
    }

    public static Map<String, Object> config(String adapter, String key, String value) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("kind", "config");
        f.put("adapter", adapter);
        f.put("key", key);
        f.put("value", value);
        return f;
    }
}
