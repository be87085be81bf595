package dev.lockstep.demo;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The demo's output: one line per step, stamped with the seconds since the command started ({@code [ 12.3s]}), and
 * indented detail lines under it. A progress line can be rewritten in place on a terminal; elsewhere (a log, a test)
 * each update is a line of its own.
 */
final class Timeline {

    private static final String DETAIL_INDENT = "         ";

    private final PrintStream out;
    private final long t0Millis;
    private final boolean terminal;
    private boolean inPlace;

    /**
     * @param t0Millis when the command started (epoch ms): scripts/demo.sh passes the time before its build, so the
     *                 stamps and the total include it
     * @param terminal whether progress may be rewritten in place
     */
    Timeline(PrintStream out, long t0Millis, boolean terminal) {
        this.out = out;
        this.t0Millis = t0Millis;
        this.terminal = terminal;
    }

    /** Seconds since the start. */
    double seconds() {
        return (System.currentTimeMillis() - t0Millis) / 1000.0;
    }

    /** A step: {@code [ 12.3s] text}. */
    void step(String text) {
        endInPlace();
        out.println(stamp() + text);
        out.flush();
    }

    /** A detail line under a step, aligned with its text. */
    void detail(String text) {
        endInPlace();
        out.println(DETAIL_INDENT + text);
        out.flush();
    }

    /** A progress step that the next progress call replaces on a terminal. */
    void progress(String text) {
        if (terminal) {
            out.print("\r" + stamp() + text + "\u001b[K");
            inPlace = true;
            out.flush();
        } else {
            step(text);
        }
    }

    /** A line without stamp (the header and the report). */
    void plain(String text) {
        endInPlace();
        out.println(text);
        out.flush();
    }

    private void endInPlace() {
        if (inPlace) {
            out.println();
            inPlace = false;
        }
    }

    private String stamp() {
        return String.format(Locale.ROOT, "[%5.1fs] ", seconds());
    }

    /** Thousands separated by commas, whatever the machine's locale. */
    static String n(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    static String secs(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
