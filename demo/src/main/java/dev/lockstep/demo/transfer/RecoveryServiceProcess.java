package dev.lockstep.demo.transfer;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The recovery service as an operator runs it: {@code java -Xmx256m -jar lockstep-recovery-service.jar <command> -c
 * FILE} in its own process, with a configuration file (Java properties) for the harness' three servers and the
 * given nodes. Each run captures standard output (the logfmt action lines) and error, the exit code and the wall
 * time, JVM start included.
 *
 * <p>The jar is {@code recovery-service/target/lockstep-recovery-service.jar} of this checkout (built by {@code mvn
 * -pl recovery-service -am package}), or the path in system property {@code lockstep.recovery.jar}.
 */
public final class RecoveryServiceProcess {

    /** Exit codes of the service. */
    public static final int OK = 0;
    public static final int IN_DOUBT = 1;
    public static final int USAGE = 2;
    public static final int LOG_UNUSABLE = 3;
    public static final int NODE_LOCKED = 4;
    public static final int RESOLVE_REFUSED = 5;

    private final Path workDir;
    private final Map<String, String> config = new LinkedHashMap<>();
    private int runs;

    /**
     * @param workDir      where the configuration file and the captured output go
     * @param logDirectory the transaction managers' log directory
     * @param nodes        the node ids the service recovers
     * @param servers      the servers; every one is configured as a resource (the broker too, if set)
     */
    public RecoveryServiceProcess(Path workDir, Path logDirectory, List<String> nodes, Endpoints servers) {
        this.workDir = workDir.toAbsolutePath();
        config.put("log.directory", logDirectory.toAbsolutePath().toString());
        config.put("nodes", String.join(",", nodes));
        config.put("scan.interval", "1s");
        resource(Endpoints.PG_RESOURCE, "postgresql", servers.pgUrl(), servers.pgLogin());
        resource(Endpoints.MARIA_RESOURCE, "mysql", servers.mariaUrl(), servers.mariaLogin());
        if (servers.withBroker()) {
            resource(Endpoints.JMS_RESOURCE, "artemis", servers.brokerUrl(), servers.brokerLogin());
        }
    }

    private void resource(String name, String kind, String url, Endpoints.Login login) {
        config.put("resource." + name + ".kind", kind);
        config.put("resource." + name + ".url", url);
        if (login.user() != null) {
            config.put("resource." + name + ".user", login.user());
        }
        if (login.password() != null) {
            config.put("resource." + name + ".password", login.password());
        }
    }

    /** Sets (or, with null, removes) one configuration key, e.g. {@code orphan.safety.interval}. */
    public RecoveryServiceProcess set(String key, String value) {
        if (value == null) {
            config.remove(key);
        } else {
            config.put(key, value);
        }
        return this;
    }

    /** Writes the configuration file and returns its path. */
    public Path writeConfig() throws IOException {
        Files.createDirectories(workDir);
        Path file = workDir.resolve("recovery.properties");
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (var e : config.entrySet()) {
                w.write(e.getKey() + "=" + e.getValue() + "\n");
            }
        }
        return file;
    }

    /** The service's jar; fails with how to build it. */
    public static Path jar() {
        String configured = System.getProperty("lockstep.recovery.jar");
        List<Path> candidates = new ArrayList<>();
        if (configured != null && !configured.isBlank()) {
            candidates.add(Path.of(configured));
        }
        Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        candidates.add(here.resolve("../recovery-service/target/lockstep-recovery-service.jar").normalize());
        candidates.add(here.resolve("recovery-service/target/lockstep-recovery-service.jar"));
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalStateException("the recovery service jar is not built (looked at " + candidates + "): run "
                + "'mvn -o -q -pl recovery-service -am package -DskipTests' from the checkout's root, or set "
                + "-Dlockstep.recovery.jar=PATH");
    }

    /** Runs {@code command} (e.g. {@code scan}, or {@code list --json}) to completion; kills it after the timeout. */
    public Result run(Duration timeout, String... command) throws IOException, InterruptedException {
        Started s = launch(command);
        if (!s.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            s.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Result partial = s.result(-1);
            throw new AssertionError("recovery service '" + String.join(" ", command) + "' did not finish within "
                    + timeout.toSeconds() + " s (killed):\n" + partial.describe());
        }
        return s.result(s.process.exitValue());
    }

    /** Starts the {@code run} daemon; {@link Daemon#stop} sends SIGTERM. */
    public Daemon startDaemon() throws IOException {
        return new Daemon(launch("run"));
    }

    private Started launch(String... command) throws IOException {
        Path cfg = writeConfig();
        int n = ++runs;
        Path out = workDir.resolve("service-" + n + ".out");
        Path err = workDir.resolve("service-" + n + ".err");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(command));
        cmd.add("-c");
        cmd.add(cfg.toString());
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        return new Started(p, String.join(" ", cmd), out, err, t0);
    }

    private record Started(Process process, String commandLine, Path out, Path err, long startNanos) {
        Result result(int exit) {
            return new Result(commandLine, exit, read(out), read(err), (System.nanoTime() - startNanos) / 1_000_000);
        }

        static String read(Path p) {
            try {
                return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                return "(cannot read " + p + ": " + e + ")";
            }
        }
    }

    /** A running {@code run} daemon. */
    public static final class Daemon implements AutoCloseable {
        private final Started started;

        private Daemon(Started started) {
            this.started = started;
        }

        /** What it printed so far. */
        public String stdout() {
            return Started.read(started.out);
        }

        public boolean isAlive() {
            return started.process.isAlive();
        }

        /**
         * What it printed so far, from character {@code from} of its standard output on (a length of {@link #stdout}
         * taken earlier), as a result with no exit code yet (-1).
         */
        public Result since(int from) {
            Result all = started.result(-1);
            return new Result(all.commandLine(), -1, all.stdout().substring(Math.min(from, all.stdout().length())),
                    all.stderr(), all.millis());
        }

        /** SIGTERM ({@link Process#destroy()} on Linux), then waits for the exit. */
        public Result stop(Duration timeout) throws InterruptedException {
            started.process.destroy();
            if (!started.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                started.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("recovery daemon did not stop within " + timeout.toSeconds()
                        + " s of SIGTERM (killed):\n" + started.result(-1).describe());
            }
            return started.result(started.process.exitValue());
        }

        @Override
        public void close() throws InterruptedException {
            if (started.process.isAlive()) {
                started.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** One finished run of the service. */
    public record Result(String commandLine, int exitCode, String stdout, String stderr, long millis) {

        /** Every logfmt line with an {@code event=} key, in order. */
        public List<Map<String, String>> events() {
            return LogfmtReader.events(stdout);
        }

        /**
         * Every logfmt line with an {@code event=} key on standard output, then on standard error (the service
         * prints {@code level=error} lines such as {@code event=error} there).
         */
        public List<Map<String, String>> allEvents() {
            List<Map<String, String>> all = new ArrayList<>(LogfmtReader.events(stdout));
            all.addAll(LogfmtReader.events(stderr));
            return all;
        }

        /** The events named {@code event} (commit, rollback, end, retire, take_over, heuristic, error, ...). */
        public List<Map<String, String>> events(String event) {
            return events().stream().filter(e -> event.equals(e.get("event"))).toList();
        }

        /** {@code took_ms} of the last {@code scan_done} line (the scan itself, without JVM start), or -1. */
        public long scanMillis() {
            List<Map<String, String>> done = events("scan_done");
            String took = done.isEmpty() ? null : done.get(done.size() - 1).get("took_ms");
            return took == null ? -1 : Long.parseLong(took);
        }

        /** Everything about the run, for assertion messages. */
        public String describe() {
            return "$ " + commandLine + "\nexit " + exitCode + " after " + millis + " ms\n--- stdout\n" + stdout
                    + (stderr.isBlank() ? "" : "--- stderr\n" + stderr);
        }
    }
}
