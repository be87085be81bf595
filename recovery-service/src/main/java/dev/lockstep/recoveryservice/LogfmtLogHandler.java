package dev.lockstep.recoveryservice;

import dev.lockstep.tm.messages.TmMessage;
import java.io.PrintStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * Prints java.util.logging records (txmanager's System.Logger, the JDBC drivers, Artemis through SLF4J) as logfmt on
 * stderr, so every line the service prints has one shape. Installed by {@link RecoveryServiceMain} unless the
 * operator configures logging with {@code -Djava.util.logging.config.file}.
 */
final class LogfmtLogHandler extends Handler {

    private final PrintStream err;
    private final SimpleFormatter messages = new SimpleFormatter();

    LogfmtLogHandler(PrintStream err) {
        this.err = err;
        setLevel(Level.INFO);
        // The recovery engine also logs each action (TmMessage.RECOVERY_ACTION); the service prints them already, from
        // its listener, on stdout in the contract's shape. Everything else the engine logs still comes through.
        setFilter(r -> r.getMessage() == null || !r.getMessage().startsWith(RECOVERY_ACTION_ID));
    }

    static final String RECOVERY_ACTION_ID = TmMessage.RECOVERY_ACTION + " ";

    @Override
    public void publish(LogRecord r) {
        if (!isLoggable(r)) {
            return;
        }
        int v = r.getLevel().intValue();
        String level = v >= Level.SEVERE.intValue() ? "error" : v >= Level.WARNING.intValue() ? "warn"
                : v >= Level.INFO.intValue() ? "info" : "debug";
        Logfmt line = new Logfmt(r.getInstant(), level, "log").add("logger", r.getLoggerName())
                .add("detail", messages.formatMessage(r));
        if (r.getThrown() != null) {
            line.add("error", r.getThrown().toString());
        }
        synchronized (err) {
            err.println(line);
        }
    }

    @Override
    public void flush() {
        err.flush();
    }

    @Override
    public void close() {
        flush();
    }
}
