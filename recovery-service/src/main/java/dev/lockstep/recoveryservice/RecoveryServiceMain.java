package dev.lockstep.recoveryservice;

import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * The jar's entry point: {@code java -jar lockstep-recovery-service.jar <command> -c FILE}. Every command is in
 * {@link RecoveryServiceCommand}; this class wires the process to it: the environment, logging, the exit code, and
 * the signals that stop {@code run}.
 */
public final class RecoveryServiceMain {

    private RecoveryServiceMain() {
    }

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.config.file") == null) {
            installLogging();
        }
        JvmStopSignal stop = new JvmStopSignal();
        int code = RecoveryServiceCommand.commandLine(System.getenv(), stop, Clock.systemUTC()).execute(args);
        stop.finished(code);
        if (!stop.stopRequested()) {
            System.exit(code);
        }
        // A shutdown is under way (SIGTERM, SIGINT): System.exit would block; the hook halts with the code.
    }

    private static void installLogging() {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(Level.INFO);
        root.addHandler(new LogfmtLogHandler(System.err));
        // Artemis' client reports every connection at INFO; the service's own lines say what matters.
        Logger.getLogger("org.apache.activemq").setLevel(Level.WARNING);
    }

    /**
     * SIGTERM and SIGINT start the JVM's shutdown, whose exit status would be 143 or 130 whatever the hooks do. The
     * hook therefore asks {@code run} to stop, waits for it to finish (its graceful stop is bounded), and ends the
     * process with run's own exit code (0 after a graceful stop) by {@link Runtime#halt}, the one way to set the
     * status once shutdown has begun.
     */
    static final class JvmStopSignal extends StopSignal {
        private final CountDownLatch finished = new CountDownLatch(1);
        private volatile int exitCode;
        private boolean armed;

        @Override
        protected synchronized void arm() {
            if (armed) {
                return;
            }
            armed = true;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                requestStop();
                try {
                    long waitSeconds = RunCommand.STOP_TIMEOUT.toSeconds() + 15;
                    if (finished.await(waitSeconds, TimeUnit.SECONDS)) {
                        System.out.flush();
                        System.err.flush();
                        Runtime.getRuntime().halt(exitCode);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "lockstep-recovery-shutdown"));
        }

        void finished(int code) {
            exitCode = code;
            finished.countDown();
        }
    }
}
