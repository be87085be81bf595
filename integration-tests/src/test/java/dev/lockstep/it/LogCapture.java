package dev.lockstep.it;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every record Lockstep logs in this JVM while installed (the {@code dev.lockstep} logger at every level), to check
 * what an operator reads: {@code try (LogCapture log = LogCapture.install()) { ... log.lines() ... }}.
 */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger("dev.lockstep");
    private final Level levelBefore = logger.getLevel();
    private final List<LogRecord> records = new ArrayList<>();

    private LogCapture() {
    }

    static LogCapture install() {
        LogCapture c = new LogCapture();
        c.logger.setLevel(Level.ALL);
        c.logger.addHandler(c);
        return c;
    }

    @Override
    public synchronized void publish(LogRecord r) {
        records.add(r);
    }

    /** The records so far. */
    synchronized List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** Each record as "LEVEL logger: message", with its stack trace below it if it has one. */
    List<String> lines() {
        return records().stream().map(LogCapture::describe).toList();
    }

    static String describe(LogRecord r) {
        String msg = r.getMessage();
        if (r.getParameters() != null && r.getParameters().length > 0 && msg != null) {
            msg = MessageFormat.format(msg, r.getParameters());
        }
        String line = r.getLevel() + " " + r.getLoggerName() + ": " + msg;
        if (r.getThrown() != null) {
            StringWriter w = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(w));
            line += "\n" + w;
        }
        return line;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(levelBefore);
    }
}
