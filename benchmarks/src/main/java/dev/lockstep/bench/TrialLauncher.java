package dev.lockstep.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts each trial in its own JVM, on this JVM's class path, with the same flags for every adapter: JIT and GC
 * state never carry over from one system to the next, and peers configured through global state (Narayana's beans,
 * Atomikos' system properties) start clean.
 */
final class TrialLauncher {

    /** The heap of every trial JVM (the machine is shared; the same for every adapter). */
    static final String HEAP = "-Xmx512m";

    private TrialLauncher() {
    }

    /**
     * Runs {@code mainClass} with {@code args}, its output to {@code log} (and, as the options ask, a flight recording
     * or an async-profiler CPU profile beside it); returns null if it exited 0, or why not.
     */
    static String run(Class<?> mainClass, List<String> args, Path log, Duration timeout, BenchOptions o)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(HEAP);
        String base = log.toString().replaceAll("\\.log$", "");
        if (o.jfr) {
            command.add("-XX:StartFlightRecording=settings=profile,filename=" + base + ".jfr");
        }
        if (o.asyncProfiler != null) {
            command.add("-agentpath:" + o.asyncProfiler + "=start,event=" + o.asyncProfilerEvent
                    + ",interval=1ms,collapsed,file=" + base
                    + ".collapsed");
        }
        command.add("-Djava.awt.headless=true");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(args);
        Files.createDirectories(log.getParent());
        Files.writeString(log, String.join(" ", command) + System.lineSeparator());
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            return "the trial JVM did not finish within " + timeout.toSeconds() + " s and was killed (log: " + log + ")";
        }
        return p.exitValue() == 0 ? null : "the trial JVM exited with " + p.exitValue() + " (log: " + log + ")";
    }
}
