package dev.lockstep.it.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Small process and file helpers shared by the server harness.
 *
 * <p>Everything here works with plain pids and {@code /proc}, because the servers do not all run as
 * direct children of the test JVM: PostgreSQL runs under {@code runuser}, which forks, and its
 * backends call {@code setsid()} (docs/xa-quirks.md, "Getting the servers on a test machine").
 */
final class Processes {

    private Processes() {
    }

    /** A TCP port that was free on 127.0.0.1 a moment ago; tests never rely on fixed ports. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free TCP port on 127.0.0.1", e);
        }
    }

    /** True if something accepts TCP connections on 127.0.0.1:port. */
    static boolean acceptsConnections(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * True if the pid no longer exists or is a zombie. A zombie holds no ports, files or shared
     * memory; orphans are reaped late by pid 1 on these machines (docs/xa-quirks.md), so waiting for
     * them to vanish completely would cost about 1.5 s per kill.
     */
    static boolean isGoneOrZombie(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            return true;
        }
        // Format: "pid (comm) S ...": comm may contain spaces and parentheses, so use the last ')'.
        int close = stat.lastIndexOf(')');
        return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) == 'Z';
    }

    /** True if the pid exists at all, zombie or not. */
    static boolean exists(long pid) {
        return Files.exists(Path.of("/proc", Long.toString(pid)));
    }

    /** Sends a signal by name (INT, TERM, STOP, ...) with /usr/bin/kill; a vanished pid is not an error. */
    static void signal(String signal, List<Long> pids) {
        if (pids.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("kill", "-s", signal));
        pids.forEach(pid -> command.add(Long.toString(pid)));
        try {
            Process kill = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run 'kill -s " + signal + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * kill -9 of a process and all its descendants, found by parent pid. The root is stopped
     * (SIGSTOP) first so it cannot fork while we collect its children: a PostgreSQL postmaster would
     * otherwise start crash recovery workers as soon as the first backend dies. Returns once every
     * process of the tree is gone or a zombie.
     */
    static void killTree(long rootPid, Duration timeout) {
        if (isGoneOrZombie(rootPid)) {
            return;
        }
        Set<Long> tree = new LinkedHashSet<>();
        tree.add(rootPid);
        signal("STOP", List.of(rootPid));
        boolean grew = true;
        while (grew) {
            List<Long> fresh = new ArrayList<>();
            ProcessHandle.of(rootPid).ifPresent(root -> root.descendants()
                    .map(ProcessHandle::pid).filter(pid -> !tree.contains(pid)).forEach(fresh::add));
            grew = !fresh.isEmpty();
            tree.addAll(fresh);
            signal("STOP", fresh);
        }
        for (long pid : tree) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        awaitGoneOrZombie(tree, timeout);
    }

    static void awaitGoneOrZombie(Iterable<Long> pids, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long pid : pids) {
            while (!isGoneOrZombie(pid)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("process " + pid + " is still alive " + timeout.toMillis()
                            + " ms after kill -9; check 'ps -o pid,ppid,stat,cmd -p " + pid + "'");
                }
                sleep(5);
            }
        }
    }

    /** Waits until the pid has disappeared completely (reaped, not even a zombie). */
    static boolean awaitGone(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (exists(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(5);
        }
        return true;
    }

    /**
     * Runs a short helper command (initdb, cp, ...) to completion, output appended to the log.
     * Fails with the log tail when it exits non-zero or takes longer than the timeout.
     */
    static void run(Path log, Duration timeout, String stdin, String... command) {
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("'" + String.join(" ", command) + "' did not finish within "
                        + timeout.toSeconds() + " s; log " + log + ":\n" + tail(log, 40));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("'" + String.join(" ", command) + "' failed with exit code "
                        + process.exitValue() + "; log " + log + ":\n" + tail(log, 40));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run '" + String.join(" ", command) + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command[0], e);
        }
    }

    /** The last lines of a log file, for exception messages. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + "; remove it by hand (rm -rf)", e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
