package dev.lockstep.demo.transfer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started by the test on its own class path (surefire's {@code java.class.path}) to run one main class, with
 * its standard output and error going to a file, so the test can wait for a line, kill it with SIGKILL and show its
 * output in a failure. Its standard input stays a pipe held by this JVM: {@link TransferApp} halts when it closes.
 */
public final class ChildJvm implements AutoCloseable {

    /** Exit value of a JVM killed by SIGKILL, as {@link Process#exitValue()} reports it on Linux (128 + 9). */
    public static final int SIGKILL_EXIT = 137;

    private final Process process;
    private final Path output;
    private final long startNanos;

    private ChildJvm(Process process, Path output, long startNanos) {
        this.process = process;
        this.output = output;
        this.startNanos = startNanos;
    }

    /** Starts {@code mainClass} with {@code -Xmx256m} and the arguments; output to {@code output}. */
    public static ChildJvm start(Class<?> mainClass, List<String> args, Path output) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1"); // short-lived: start fast rather than run fast
        String logging = System.getProperty("java.util.logging.config.file");
        if (logging != null) {
            command.add("-Djava.util.logging.config.file=" + logging);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(args);
        Files.createDirectories(output.toAbsolutePath().getParent());
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        return new ChildJvm(p, output, t0);
    }

    public long pid() {
        return process.pid();
    }

    /** Whether the child still runs (a caller that polls its output on its own checks this). */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit value of a child that ended; fails while it runs. */
    public int exitValue() {
        return process.exitValue();
    }

    public Path outputFile() {
        return output;
    }

    /** Everything the child printed so far. */
    public String output() {
        try {
            return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + output + ": " + e + ")";
        }
    }

    /**
     * Waits until the child printed a line starting with {@code prefix} and returns that line; fails with the
     * output if it exits first or the timeout passes.
     */
    public String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String line : output().lines().toList()) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("child " + pid() + " exited with " + process.exitValue()
                        + " before printing '" + prefix + "'; output:\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("child " + pid() + " did not print '" + prefix + "' within "
                        + timeout.toSeconds() + " s; output:\n" + tail());
            }
            Thread.sleep(20);
        }
    }

    /** Waits for the child to exit by itself and returns its exit value; kills it and fails after the timeout. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("child " + pid() + " did not exit within " + timeout.toSeconds()
                    + " s (killed); output:\n" + tail());
        }
        return process.exitValue();
    }

    /**
     * kill -9: {@link Process#destroyForcibly()} sends SIGKILL on Linux (checked by the exit value, 137 = 128 + 9).
     * Returns once the process is reaped, so its file locks (the log's) are free. Returns the exit value.
     */
    public int kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + pid() + " still alive 30 s after SIGKILL");
        }
        return process.exitValue();
    }

    /** SIGTERM, as an orchestrator stops a pod: the JVM runs its shutdown hooks and exits. Returns the exit value. */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + pid() + " still alive 30 s after SIGTERM");
        }
        return process.exitValue();
    }

    /** Milliseconds since the child was started. */
    public long ageMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** The last 60 lines of output, for messages. */
    public String tail() {
        List<String> lines = output().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** Kills the child if it still runs (a test that failed half-way). */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }
}
