package dev.lockstep.testkit.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Remembers every server process the harness starts in {@code target/servers/pids.txt} so that a
 * test JVM that crashed (or was killed by a timeout) leaves nothing behind for the next run: the
 * first server start of the next test JVM kills what is still alive from that list.
 *
 * <p>Each line is {@code pid startMillis description}. The start time guards against killing an
 * unrelated process that happens to reuse a recorded pid.
 */
final class Leftovers {

    private static boolean cleaned;

    private Leftovers() {
    }

    private static Path file() {
        return ManagedServer.serversDir().resolve("pids.txt");
    }

    /** Kills the recorded processes of earlier test JVMs; runs once per JVM. */
    static synchronized void killOnce() {
        if (cleaned) {
            return;
        }
        cleaned = true;
        Path file = file();
        if (!Files.exists(file)) {
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + "; delete it by hand", e);
        }
        for (String line : lines) {
            String[] parts = line.split(" ", 3);
            if (parts.length < 2) {
                continue;
            }
            long pid = Long.parseLong(parts[0]);
            long startMillis = Long.parseLong(parts[1]);
            if (pid == ProcessHandle.current().pid() || startMillis(pid).orElse(-1L) != startMillis) {
                continue;
            }
            System.err.println("[servers] killing leftover of an earlier test run: pid " + pid + " "
                    + (parts.length > 2 ? parts[2] : ""));
            Processes.killTree(pid, Duration.ofSeconds(10));
        }
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file + "; delete it by hand", e);
        }
    }

    /** Records a freshly started server process. */
    static synchronized void record(long pid, String description) {
        Optional<Long> start = startMillis(pid);
        if (start.isEmpty()) {
            return;
        }
        try {
            Files.createDirectories(file().getParent());
            Files.writeString(file(), pid + " " + start.get() + " " + description + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file(), e);
        }
    }

    private static Optional<Long> startMillis(long pid) {
        return ProcessHandle.of(pid).flatMap(handle -> handle.info().startInstant()).map(Instant::toEpochMilli);
    }
}
