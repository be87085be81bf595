package dev.lockstep.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** The machine, the JDK and the versions of everything measured, for the report. */
final class Machine {

    private Machine() {
    }

    static Map<String, String> describe(Path logDisk) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CPU", Runtime.getRuntime().availableProcessors() + " cores available to the JVM"
                + cpuModel().map(s -> ", " + s).orElse(""));
        m.put("memory", memory());
        m.put("disk of the logs", disk(logDisk));
        m.put("kernel", System.getProperty("os.name") + " " + read("/proc/sys/kernel/osrelease").orElse(
                System.getProperty("os.version")) + ", " + System.getProperty("os.arch"));
        m.put("JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
                + System.getProperty("java.vendor") + "), trial JVMs with " + TrialLauncher.HEAP
                + " and the JVM's default GC");
        return m;
    }

    static Map<String, String> versions() {
        Properties p = new Properties();
        try (InputStream in = Machine.class.getResourceAsStream("/bench-versions.properties")) {
            p.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("bench-versions.properties is missing from the class path: build the "
                    + "module with Maven (it fills in the versions)", e);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String key : List.of("lockstep", "narayana-jta", "atomikos transactions-jta (jakarta)",
                "agroal and agroal-narayana", "pooled-jms", "artemis client and broker", "pgjdbc",
                "mysql-connector-j", "HdrHistogram", "XChart")) {
            m.put(key, p.getProperty(key, "?"));
        }
        return m;
    }

    private static java.util.Optional<String> cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return java.util.Optional.of(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return java.util.Optional.empty();
    }

    private static String memory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format(java.util.Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return "unknown";
    }

    private static String disk(Path dir) {
        try {
            Files.createDirectories(dir);
            FileStore store = Files.getFileStore(dir);
            String name = store.name();
            StringBuilder sb = new StringBuilder(name + ", " + store.type() + ", "
                    + store.getTotalSpace() / (1L << 30) + " GiB");
            String dev = Path.of(name).getFileName() == null ? "" : Path.of(name).getFileName().toString();
            String block = dev.replaceAll("p?[0-9]+$", "");
            if (!Files.exists(Path.of("/sys/block", block)) && Files.exists(Path.of("/sys/block", dev))) {
                block = dev;
            }
            read("/sys/block/" + block + "/queue/rotational").ifPresent(r -> sb.append(r.equals("0")
                    ? ", not rotational" : ", rotational"));
            read("/sys/block/" + block + "/device/model").ifPresent(m -> sb.append(", model ").append(m));
            if (block.startsWith("vd")) {
                sb.append(" (virtio virtual disk)");
            }
            return sb.toString();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static java.util.Optional<String> read(String file) {
        try {
            String s = Files.readString(Path.of(file)).trim();
            return s.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(s);
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }
}
