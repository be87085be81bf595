package dev.lockstep.testkit.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private PostgreSQL instance for the integration tests (docs/design.md section 5).
 *
 * <p>{@code initdb} runs once into {@code target/servers/pg-template-2} (with the database and user
 * {@value #DATABASE}/{@value #USER}, password {@value #PASSWORD}, scram over TCP); every
 * {@link #start()} copies that template, which is about three times faster than a fresh initdb
 * (docs/xa-quirks.md, "Getting the servers on a test machine"). The server listens on 127.0.0.1 only, on a free port,
 * with no Unix
 * socket, {@code max_prepared_transactions=150} (prepare fails with the default 0) and fsync on.
 *
 * <p>PostgreSQL refuses to run as root, so every server command runs as the {@code postgres} OS
 * user through {@code runuser}, and the data directory and all its parents must be traversable by
 * that user (docs/xa-quirks.md, "Getting the servers on a test machine"). The postmaster is not started with
 * {@code pg_ctl} (which daemonizes it) but as a child of {@code runuser}: {@code runuser} reaps it
 * at once after {@code kill -9}, so no zombie postmaster blocks the restart with "postmaster.pid
 * already exists".
 *
 * <p>A running server can get a synchronous streaming-replication standby ({@link #startSynchronousStandby()}): a
 * server of its own (directory, port, log, kill and restart as any other) made from a {@code pg_basebackup -R} of this
 * one, which this one then waits for at every commit ({@code synchronous_standby_names}, {@code synchronous_commit}
 * on, its default). {@link #promote()} turns the standby into a primary, as a failover manager does after the
 * primary is lost (docs/cluster.md, "The decision database").
 */
public final class PostgresServer extends ManagedServer {

    public static final String DATABASE = "lockstep";
    /** A second database of the same owner: branches on two databases are two resource managers for recovery. */
    public static final String SECOND_DATABASE = "lockstep_b";
    public static final String USER = "lockstep";
    public static final String PASSWORD = "lockstep";
    public static final int MAX_PREPARED_TRANSACTIONS = 150;

    private static final String OS_USER = "postgres";
    private static final Object TEMPLATE_LOCK = new Object();

    private final Path binDir;
    /** The server this one is a standby of, copied by pg_basebackup at start; null for a server of its own. */
    private final PostgresServer primary;
    private volatile long postmasterPid;

    public PostgresServer() {
        this(null);
    }

    private PostgresServer(PostgresServer primary) {
        super("postgres");
        this.binDir = findBinDir();
        this.primary = primary;
    }

    /** JDBC URL for pgjdbc, with {@link #USER}/{@link #PASSWORD} as credentials. */
    public String jdbcUrl() {
        return jdbcUrl(DATABASE);
    }

    /** The URL of {@code database} on this server ({@link #DATABASE} or {@link #SECOND_DATABASE}). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    private static Path findBinDir() {
        Path root = Path.of("/usr/lib/postgresql");
        Path best = null;
        int bestVersion = -1;
        if (Files.isDirectory(root)) {
            try (DirectoryStream<Path> versions = Files.newDirectoryStream(root)) {
                for (Path version : versions) {
                    String name = version.getFileName().toString();
                    if (name.matches("\\d+") && Files.isExecutable(version.resolve("bin/initdb"))
                            && Integer.parseInt(name) > bestVersion) {
                        bestVersion = Integer.parseInt(name);
                        best = version.resolve("bin");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root, e);
            }
        }
        if (best == null) {
            throw new IllegalStateException("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: "
                    + "install the package 'postgresql' (apt-get install -y postgresql)");
        }
        return best;
    }

    /**
     * Starts a standby of this running server and makes it synchronous: once this returns, every commit on this
     * server returns only after the standby has flushed it to disk ({@code synchronous_commit = on}, the default),
     * so a commit acknowledged to a client survives {@link #kill()} of this server and {@link #promote()} of the
     * standby.
     *
     * <p>How: this server lets the OS user {@code postgres} connect from 127.0.0.1 without a password (replication
     * and the monitoring query below; the server listens on 127.0.0.1 only); the standby is a {@code pg_basebackup
     * -R} of it, started with {@code cluster_name} set to its directory name, which its WAL receiver reports as its
     * application name; then this server names it in {@code synchronous_standby_names} (postgresql.auto.conf, after
     * the base backup, so the standby does not inherit it and a promoted standby does not wait for a standby of its
     * own) and reloads, and this method waits until {@code pg_stat_replication} shows the standby as {@code sync}.
     */
    public synchronized PostgresServer startSynchronousStandby() {
        if (!isRunning()) {
            throw new IllegalStateException(this + " is not running: start() it before starting a standby of it");
        }
        trustLocalSuperuser();
        PostgresServer standby = new PostgresServer(this);
        try {
            standby.start();
        } catch (RuntimeException e) {
            standby.kill();
            throw e;
        }
        String name = standby.instanceDir().getFileName().toString();
        try {
            Files.writeString(instanceDir().resolve("data/postgresql.auto.conf"),
                    "synchronous_standby_names = '\"" + name + "\"'\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot configure the synchronous standby in " + instanceDir(), e);
        }
        Processes.signal("HUP", List.of(serverPid()));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            state = psql("SELECT sync_state FROM pg_stat_replication WHERE application_name = '" + name + "'");
            if (state.equals("sync")) {
                System.out.printf("[servers] %s is a synchronous standby of %s%n", standby, this);
                return standby;
            }
            Processes.sleep(50);
        }
        standby.kill();
        throw new IllegalStateException(standby + " did not become a synchronous standby of " + this + " within "
                + START_TIMEOUT.toSeconds() + " s (pg_stat_replication.sync_state '" + state + "'); logs "
                + logFile() + " and " + standby.logFile());
    }

    /**
     * Promotes this standby to a primary ({@code pg_ctl promote}, which waits until the server accepts writes). A
     * client with a multi-host URL ({@code targetServerType=primary}) then finds it.
     */
    public synchronized void promote() {
        if (primary == null) {
            throw new IllegalStateException(this + " is not a standby: only a server from startSynchronousStandby() "
                    + "can be promoted");
        }
        if (!isRunning()) {
            throw new IllegalStateException(this + " is not running: restart() it before promoting it");
        }
        long begin = System.nanoTime();
        Processes.run(logFile(), Duration.ofSeconds(60), null, "runuser", "-u", OS_USER, "--",
                binDir.resolve("pg_ctl").toString(), "promote", "-w", "-t", "60", "-D",
                instanceDir().resolve("data").toString());
        System.out.printf("[servers] %s promoted in %d ms%n", this, (System.nanoTime() - begin) / 1_000_000);
    }

    /**
     * Lets the OS user {@code postgres} in over TCP from 127.0.0.1 without a password, for replication and for the
     * harness' own queries (the template has no Unix socket and no password for it). First lines of pg_hba.conf win.
     */
    private void trustLocalSuperuser() {
        Path hba = instanceDir().resolve("data/pg_hba.conf");
        try {
            String rules = Files.readString(hba);
            if (!rules.startsWith(TRUST_SUPERUSER)) {
                Files.writeString(hba, TRUST_SUPERUSER + rules);
                Processes.signal("HUP", List.of(serverPid()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot edit " + hba, e);
        }
    }

    private static final String TRUST_SUPERUSER = "host replication postgres 127.0.0.1/32 trust\n"
            + "host postgres postgres 127.0.0.1/32 trust\n";

    /** One value from a query run as the superuser with psql; empty if the query returns no row. */
    private String psql(String query) {
        try {
            Process p = new ProcessBuilder("runuser", "-u", OS_USER, "--", binDir.resolve("psql").toString(),
                    "-h", "127.0.0.1", "-p", Integer.toString(port()), "-U", "postgres", "-d", "postgres", "-X",
                    "-tAc", query).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("psql on " + this + " failed for '" + query + "': " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run psql for " + this, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while querying " + this, e);
        }
    }

    @Override
    protected void prepareFreshData(Path instanceDir) {
        if (primary != null) {
            baseBackup(instanceDir.resolve("data"));
            return;
        }
        Path template = template();
        Processes.run(logFile(), Duration.ofSeconds(60), null, "cp", "-a", template.toString(),
                instanceDir.resolve("data").toString());
    }

    /**
     * The standby's data: a base backup of the primary with the WAL it needs ({@code -X stream}) and, from
     * {@code -R}, {@code standby.signal} and {@code primary_conninfo}. The primary may not have reloaded its
     * pg_hba.conf yet, so a refused connection is retried for a few seconds.
     */
    private void baseBackup(Path data) {
        try {
            Files.createDirectories(data);
            UserPrincipalLookupService users = data.getFileSystem().getUserPrincipalLookupService();
            PosixFileAttributeView view = Files.getFileAttributeView(data, PosixFileAttributeView.class);
            view.setOwner(users.lookupPrincipalByName(OS_USER));
            view.setGroup(users.lookupPrincipalByGroupName(OS_USER));
            view.setPermissions(PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + data + " owned by the OS user '" + OS_USER + "'", e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                Processes.run(logFile(), Duration.ofSeconds(120), null, "runuser", "-u", OS_USER, "--",
                        binDir.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p",
                        Integer.toString(primary.port()), "-U", "postgres", "-D", data.toString(), "-R",
                        "-X", "stream", "--checkpoint=fast", "--no-sync");
                return;
            } catch (IllegalStateException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Processes.sleep(200);
            }
        }
    }

    /** The initialised template; created on first use, reused by later runs until {@code mvn clean}. */
    private Path template() {
        synchronized (TEMPLATE_LOCK) {
            Path template = serversDir().resolve("pg-template-2");
            if (Files.isDirectory(template)) {
                return template;
            }
            checkTraversableByPostgres(serversDir());
            Path tmp = serversDir().resolve("pg-template-2.tmp");
            Path log = serversDir().resolve("pg-template.log");
            Processes.deleteRecursively(tmp);
            try {
                Files.deleteIfExists(log);
                Files.createDirectories(tmp);
                UserPrincipalLookupService users = tmp.getFileSystem().getUserPrincipalLookupService();
                PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
                view.setOwner(users.lookupPrincipalByName(OS_USER));
                view.setGroup(users.lookupPrincipalByGroupName(OS_USER));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + tmp + " owned by the OS user '" + OS_USER
                        + "' (does it exist? the package 'postgresql' creates it)", e);
            }
            Processes.run(log, Duration.ofSeconds(120), null, "runuser", "-u", OS_USER, "--",
                    binDir.resolve("initdb").toString(), "-D", tmp.toString(), "-U", "postgres", "-E", "UTF8",
                    "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync");
            // Single-user mode: creates the role and database without opening a port.
            String sql = "CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "';\n"
                    + "CREATE DATABASE " + DATABASE + " OWNER " + USER + ";\n"
                    + "CREATE DATABASE " + SECOND_DATABASE + " OWNER " + USER + ";\n";
            Processes.run(log, Duration.ofSeconds(60), sql, "runuser", "-u", OS_USER, "--",
                    binDir.resolve("postgres").toString(), "--single", "-D", tmp.toString(), "postgres");
            if (Processes.tail(log, 200).contains("ERROR:")) {
                throw new IllegalStateException("creating the role and database in " + tmp + " failed; log " + log
                        + ":\n" + Processes.tail(log, 40));
            }
            try {
                Files.move(tmp, template);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot rename " + tmp + " to " + template, e);
            }
            return template;
        }
    }

    /** PostgreSQL runs as 'postgres', which must be able to walk down to its data directory. */
    private static void checkTraversableByPostgres(Path dir) {
        for (Path p = dir; p != null; p = p.getParent()) {
            try {
                if (Files.exists(p) && !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new IllegalStateException("the OS user '" + OS_USER + "' cannot traverse " + p + " (mode "
                            + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p))
                            + "), so PostgreSQL cannot reach its data directory under " + dir + ": run 'chmod o+x "
                            + p + "' or build from a checkout outside it (docs/xa-quirks.md, PostgreSQL refuses root)");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the permissions of " + p, e);
            }
        }
    }

    @Override
    protected Process startProcess(Path instanceDir, int port) throws IOException {
        postmasterPid = 0;
        List<String> command = List.of("runuser", "-u", OS_USER, "--", binDir.resolve("postgres").toString(),
                "-D", instanceDir.resolve("data").toString(),
                "-c", "listen_addresses=127.0.0.1",
                "-c", "port=" + port,
                "-c", "unix_socket_directories=",
                "-c", "max_prepared_transactions=" + MAX_PREPARED_TRANSACTIONS,
                "-c", "max_connections=200",
                "-c", "fsync=on",
                // the application name a standby's WAL receiver reports, for synchronous_standby_names
                "-c", "cluster_name=" + instanceDir.getFileName(),
                "-c", "shared_buffers=64MB");
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile())).start();
    }

    /**
     * Ready when postmaster.pid says "ready" and names a child of our runuser: after a kill the old
     * file is still there with the old pid until the new postmaster rewrites it.
     */
    @Override
    protected boolean isReady(Process process) {
        List<String> lines;
        try {
            lines = Files.readAllLines(instanceDir().resolve("data/postmaster.pid"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return false;
        }
        // A hot standby says "standby" once it accepts (read-only) clients.
        if (lines.size() < 8 || !(lines.get(7).trim().equals("ready") || lines.get(7).trim().equals("standby"))) {
            return false;
        }
        long pid = Long.parseLong(lines.get(0).trim());
        boolean ours = process.children().anyMatch(child -> child.pid() == pid);
        if (ours) {
            postmasterPid = pid;
        }
        return ours;
    }

    /** SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients to disconnect. */
    @Override
    protected void requestShutdown(Process process) {
        Processes.signal("INT", List.of(serverPid()));
    }

    @Override
    protected long serverPid() {
        if (postmasterPid != 0) {
            return postmasterPid;
        }
        // Not ready yet (failed start): the postmaster is runuser's only child, if it exists at all.
        Process runuser = process();
        return runuser.children().findFirst().map(ProcessHandle::pid).orElse(runuser.pid());
    }

    /** runuser has reaped the postmaster when it exited; make sure before anyone restarts on the data. */
    @Override
    protected void afterKill(long serverPid) {
        if (!Processes.awaitGone(serverPid, Duration.ofSeconds(10))) {
            throw new IllegalStateException("the killed postmaster " + serverPid + " of " + this
                    + " is still in the process table (zombie?); a restart would refuse to start");
        }
    }
}
