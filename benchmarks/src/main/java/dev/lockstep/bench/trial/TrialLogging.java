package dev.lockstep.bench.trial;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Trial JVMs log warnings only: Narayana and Atomikos log through java.util.logging, and an INFO line per
 * transaction would be measured as bytes written (wchar counts writes to standard error too).
 */
public final class TrialLogging {

    private TrialLogging() {
    }

    public static void quiet() {
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        for (Handler h : root.getHandlers()) {
            h.setLevel(Level.WARNING);
        }
    }
}
