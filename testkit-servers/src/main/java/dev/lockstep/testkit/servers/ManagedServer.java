package dev.lockstep.testkit.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real server process owned by the test harness: started from a pre-initialised template into
 * its own directory under {@code target/servers/<kind>-<n>/} on a free port, killable with
 * {@code kill -9} and restartable on the same data and port, so that tests can check what survives
 * a crash.
 *
 * <p>Life cycle: {@link #start()} (fresh data, new port) → {@link #kill()} or {@link #stop()} →
 * {@link #restart()} (same data, same port) → ... Server output goes to {@link #logFile()}; a
 * failed start throws with the end of that log.
 */
public abstract class ManagedServer {

    private static final Map<String, AtomicInteger> INSTANCES = new ConcurrentHashMap<>();
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String kind;
    private final Path instanceDir;
    private int port;
    private Process process;

    protected ManagedServer(String kind) {
        this.kind = kind;
        this.instanceDir = serversDir().resolve(kind + "-" + INSTANCES.computeIfAbsent(kind, k -> new AtomicInteger())
                .incrementAndGet());
    }

    /** {@code target/servers} of the module (surefire runs with the module as working directory). */
    static Path serversDir() {
        return Path.of(System.getProperty("lockstep.it.serversDir", "target/servers")).toAbsolutePath().normalize();
    }

    /** Starts the server on fresh data (copied from the template) and a new free port. */
    public final synchronized void start() {
        if (isRunning()) {
            throw new IllegalStateException(this + " is already running");
        }
        Leftovers.killOnce();
        port = Processes.freePort();
        try {
            Processes.deleteRecursively(instanceDir);
            Files.createDirectories(instanceDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + instanceDir, e);
        }
        long begin = System.nanoTime();
        prepareFreshData(instanceDir);
        launch("start", begin);
    }

    /**
     * Starts the server again on the same data and port, typically after {@link #kill()}: whatever
     * was durable (prepared XA branches, committed rows, persistent messages) must still be there.
     */
    public final synchronized void restart() {
        if (port == 0) {
            throw new IllegalStateException(this + " was never started: call start() first");
        }
        if (isRunning()) {
            throw new IllegalStateException(this + " is still running: kill() or stop() it before restart()");
        }
        launch("restart", System.nanoTime());
    }

    private void launch(String what, long begin) {
        try {
            process = startProcess(instanceDir, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch " + this + "; log " + logFile(), e);
        }
        Leftovers.record(process.pid(), toString());
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw startFailure(what, "the process exited with code " + process.exitValue());
            }
            if (isReady(process)) {
                break;
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw startFailure(what, "not ready after " + START_TIMEOUT.toSeconds() + " s");
            }
            Processes.sleep(10);
        }
        System.out.printf("[servers] %s %s in %d ms%n", this, what + "ed", (System.nanoTime() - begin) / 1_000_000);
    }

    private IllegalStateException startFailure(String what, String reason) {
        return new IllegalStateException("cannot " + what + " " + this + ": " + reason + ". Log " + logFile()
                + " ends with:\n" + Processes.tail(logFile(), 40));
    }

    /** Graceful shutdown; falls back to {@link #kill()} if the server does not exit in time. */
    public final synchronized void stop() {
        if (!isRunning()) {
            return;
        }
        requestShutdown(process);
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("[servers] " + this + " did not stop within " + STOP_TIMEOUT.toSeconds()
                        + " s; killing it");
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    /**
     * {@code kill -9} of the server and every process it started. Returns once they are all gone
     * (or zombies, which hold no port, file or memory) and the data directory can be reused.
     */
    public final synchronized void kill() {
        if (process == null || !process.isAlive()) {
            // Nothing to kill; a stale server pid might already belong to an unrelated process.
            return;
        }
        long begin = System.nanoTime();
        long serverPid = serverPid();
        Processes.killTree(serverPid, Duration.ofSeconds(10));
        if (serverPid != process.pid()) {
            // runuser (like su) stops itself when its child is stopped, and only continues it and
            // reaps it once resumed; killTree() stopped the postmaster before killing it.
            Processes.signal("CONT", List.of(process.pid()));
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        afterKill(serverPid);
        System.out.printf("[servers] %s killed in %d ms%n", this, (System.nanoTime() - begin) / 1_000_000);
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The TCP port on 127.0.0.1, kept across {@link #restart()}. */
    public synchronized int port() {
        if (port == 0) {
            throw new IllegalStateException(this + " was never started: call start() first");
        }
        return port;
    }

    public Path instanceDir() {
        return instanceDir;
    }

    public Path logFile() {
        return instanceDir.resolve(kind + ".log");
    }

    @Override
    public String toString() {
        return kind + " (" + instanceDir.getFileName() + (port == 0 ? "" : ", port " + port) + ")";
    }

    /** Fills the fresh, empty instance directory with initialised data (normally a template copy). */
    protected abstract void prepareFreshData(Path instanceDir);

    /** Launches the server on the instance data; output must go to {@link #logFile()} (appended). */
    protected abstract Process startProcess(Path instanceDir, int port) throws IOException;

    /** True once the server accepts clients. Called every 10 ms while it starts. */
    protected abstract boolean isReady(Process process);

    /** Asks the server to shut down cleanly. */
    protected abstract void requestShutdown(Process process);

    /** The launched process, or null before the first start. */
    protected synchronized Process process() {
        return process;
    }

    /** The pid of the server proper, by default the launched process. */
    protected long serverPid() {
        return process.pid();
    }

    /** Hook: called after {@link #kill()} has killed the tree and reaped the launched process. */
    protected void afterKill(long serverPid) {
    }
}
