package dev.lockstep.it.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A private MariaDB instance for the integration tests, driven through mysql-connector-j
 * (docs/design.md section 5).
 *
 * <p>{@code mariadb-install-db} runs once into {@code target/servers/mariadb-template}, then a
 * bootstrap run creates the database {@value #DATABASE} and the user {@value #USER}/{@value #PASSWORD}
 * with all privileges; every {@link #start()} copies the template. The server runs as root with
 * {@code --user=root} (docs/xa-quirks.md), on 127.0.0.1 and a free port, with its socket under /tmp
 * (socket paths are limited to about 107 characters), {@code innodb_flush_log_at_trx_commit=1} and
 * the binary log off.
 *
 * <p>Privileges: on MariaDB 10.11 {@code XA RECOVER} needs no extra privilege (checked: a user with
 * only {@code ALL ON lockstep.*} sees every prepared branch of the server and can commit them). The
 * user gets {@code ALL ON *.*} anyway so tests can create further databases. MySQL 8 would need
 * {@code XA_RECOVER_ADMIN}.
 */
public final class MariaDbServer extends ManagedServer {

    public static final String DATABASE = "lockstep";
    public static final String USER = "lockstep";
    public static final String PASSWORD = "lockstep";

    private static final Path MARIADBD = Path.of("/usr/sbin/mariadbd");
    private static final Path INSTALL_DB = Path.of("/usr/bin/mariadb-install-db");
    private static final Object TEMPLATE_LOCK = new Object();
    private static final AtomicInteger SOCKETS = new AtomicInteger();

    private final Path socket;

    public MariaDbServer() {
        super("mariadb");
        if (!Files.isExecutable(MARIADBD) || !Files.isExecutable(INSTALL_DB)) {
            throw new IllegalStateException("MariaDB server binaries not found (" + MARIADBD + ", " + INSTALL_DB
                    + "): install the package 'mariadb-server' (apt-get install -y mariadb-server)");
        }
        socket = Path.of("/tmp", "lsit-" + ProcessHandle.current().pid() + "-" + SOCKETS.incrementAndGet() + ".sock");
    }

    /** JDBC URL for mysql-connector-j; do not add pinGlobalTxToPhysicalConnection (docs/xa-quirks.md). */
    public String jdbcUrl() {
        return "jdbc:mysql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    /** Options shared by install, bootstrap and server runs; --no-defaults must come first. */
    private static List<String> baseOptions(Path dataDir) {
        return List.of("--no-defaults", "--user=root", "--datadir=" + dataDir,
                "--innodb-log-file-size=16M", "--innodb-buffer-pool-size=64M",
                "--innodb-flush-log-at-trx-commit=1", "--skip-log-bin");
    }

    @Override
    protected void prepareFreshData(Path instanceDir) {
        Processes.run(logFile(), Duration.ofSeconds(60), null, "cp", "-a", template().toString(),
                instanceDir.resolve("data").toString());
    }

    /** The initialised template; created on first use, reused by later runs until {@code mvn clean}. */
    private static Path template() {
        synchronized (TEMPLATE_LOCK) {
            Path template = serversDir().resolve("mariadb-template");
            if (Files.isDirectory(template)) {
                return template;
            }
            Path tmp = serversDir().resolve("mariadb-template.tmp");
            Path log = serversDir().resolve("mariadb-template.log");
            Processes.deleteRecursively(tmp);
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + log, e);
            }
            List<String> install = new ArrayList<>();
            install.add(INSTALL_DB.toString());
            install.addAll(baseOptions(tmp));
            install.addAll(List.of("--auth-root-authentication-method=normal", "--skip-test-db"));
            Processes.run(log, Duration.ofSeconds(120), null, install.toArray(String[]::new));
            // --bootstrap implies --skip-grant-tables: FLUSH PRIVILEGES loads the grant tables first,
            // otherwise CREATE USER fails with error 1290.
            String sql = "FLUSH PRIVILEGES;\n"
                    + "CREATE DATABASE " + DATABASE + ";\n"
                    + "CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "';\n"
                    + "GRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'%';\n";
            List<String> bootstrap = new ArrayList<>();
            bootstrap.add(MARIADBD.toString());
            bootstrap.addAll(baseOptions(tmp));
            bootstrap.add("--bootstrap");
            Processes.run(log, Duration.ofSeconds(60), sql, bootstrap.toArray(String[]::new));
            try {
                Files.move(tmp, template);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot rename " + tmp + " to " + template, e);
            }
            return template;
        }
    }

    @Override
    protected Process startProcess(Path instanceDir, int port) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(MARIADBD.toString());
        command.addAll(baseOptions(instanceDir.resolve("data")));
        command.addAll(List.of("--port=" + port, "--bind-address=127.0.0.1", "--socket=" + socket,
                "--pid-file=" + instanceDir.resolve("mariadbd.pid"), "--skip-name-resolve"));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile())).start();
    }

    /** mariadbd opens its TCP port only after InnoDB (and XA) recovery is complete. */
    @Override
    protected boolean isReady(Process process) {
        return Processes.acceptsConnections(port());
    }

    @Override
    protected void requestShutdown(Process process) {
        process.destroy();
    }

    /** A killed mariadbd leaves its socket file behind; a restart would replace it anyway. */
    @Override
    protected void afterKill(long serverPid) {
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the stale socket " + socket, e);
        }
    }
}
