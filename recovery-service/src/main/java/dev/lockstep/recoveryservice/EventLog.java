package dev.lockstep.recoveryservice;

import dev.lockstep.tm.recovery.RecoveryAction;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Locale;

/**
 * Where the service says what happens: one logfmt line per event, {@code info} and {@code warn} on stdout,
 * {@code error} on stderr, each flushed at once (a daemon's output is read while it runs). Thread-safe: the scanning
 * thread and the stopping thread both write.
 */
final class EventLog {

    private final PrintWriter out;
    private final PrintWriter err;
    private final Clock clock;

    EventLog(PrintWriter out, PrintWriter err, Clock clock) {
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    Line info(String event) {
        return new Line(new Logfmt(clock.instant(), "info", event), false);
    }

    Line warn(String event) {
        return new Line(new Logfmt(clock.instant(), "warn", event), false);
    }

    Line error(String event) {
        return new Line(new Logfmt(clock.instant(), "error", event), true);
    }

    /**
     * One line for a recovery action, stamped with the action's own time: {@code event} is the kind in lower case;
     * an action that must be tried again is a warning, an {@code ERROR} action an error (on stderr).
     */
    void action(RecoveryAction a) {
        boolean error = a.kind() == RecoveryAction.Kind.ERROR;
        String level = error ? "error" : a.ok() ? "info" : "warn";
        Logfmt l = new Logfmt(a.at(), level, a.kind().name().toLowerCase(Locale.ROOT)).add("ok", a.ok())
                .add("node", a.nodeId()).add("gtrid", a.gtrid()).add("bqual", a.bqual())
                .add("resource", a.resource()).add("detail", a.detail());
        write(l, error);
    }

    /** Prints a stack trace on stderr, after the error line that explains it. */
    synchronized void stackTrace(Throwable t) {
        t.printStackTrace(err);
        err.flush();
    }

    private synchronized void write(Logfmt line, boolean toErr) {
        PrintWriter w = toErr ? err : out;
        w.println(line);
        w.flush();
    }

    /** A line being built; nothing is printed until {@link #print()}. */
    final class Line {
        private final Logfmt fmt;
        private final boolean toErr;

        private Line(Logfmt fmt, boolean toErr) {
            this.fmt = fmt;
            this.toErr = toErr;
        }

        Line add(String key, Object value) {
            fmt.add(key, value);
            return this;
        }

        void print() {
            write(fmt, toErr);
        }
    }
}
