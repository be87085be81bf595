package dev.lockstep.it.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An ActiveMQ Artemis broker in its own JVM ({@link ArtemisBrokerMain}) with a persistent NIO
 * journal under {@code target/servers/artemis-<n>/}, so tests can kill it with {@code kill -9} and
 * restart it on the same journal and port (docs/design.md section 5).
 *
 * <p>The child JVM runs on this test JVM's class path ({@code java.class.path}, which surefire
 * sets to the test class path even when it boots from a manifest-only jar), with -Xmx256m.
 */
public final class ArtemisBroker extends ManagedServer {

    private long logOffset;

    public ArtemisBroker() {
        super("artemis");
    }

    /** URL for {@code ActiveMQXAConnectionFactory} and friends. */
    public String brokerUrl() {
        return "tcp://127.0.0.1:" + port();
    }

    @Override
    protected void prepareFreshData(Path instanceDir) {
        // The broker creates its journal directories itself.
    }

    @Override
    protected Process startProcess(Path instanceDir, int port) throws IOException {
        logOffset = Files.exists(logFile()) ? Files.size(logFile()) : 0;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ArtemisBrokerMain.class.getName(), instanceDir.resolve("data").toString(), Integer.toString(port));
        // stdin stays a pipe held by this JVM: the broker stops by itself when it closes.
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile())).start();
    }

    /** Ready once this launch printed the READY line and the acceptor takes connections. */
    @Override
    protected boolean isReady(Process process) {
        try {
            if (!Files.exists(logFile()) || Files.size(logFile()) <= logOffset) {
                return false;
            }
            byte[] log = Files.readAllBytes(logFile());
            String output = new String(log, (int) logOffset, log.length - (int) logOffset,
                    java.nio.charset.StandardCharsets.UTF_8);
            return output.contains(ArtemisBrokerMain.READY) && Processes.acceptsConnections(port());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + logFile(), e);
        }
    }

    @Override
    protected void requestShutdown(Process process) {
        process.destroy();
    }
}
