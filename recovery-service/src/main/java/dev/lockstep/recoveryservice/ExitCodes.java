package dev.lockstep.recoveryservice;

/**
 * The exit codes of every command: scripts, tests and the demo depend on them, so they never change meaning.
 */
public final class ExitCodes {

    /** Done; for {@code scan}: nothing is left in doubt. */
    public static final int OK = 0;
    /**
     * {@code scan}: something is left in doubt (waiting branches, an unreachable resource, heuristics);
     * {@code resolve}: the decision is recorded but a branch could not be finished yet; {@code run}: its stop timed
     * out with a scan still in progress.
     */
    public static final int IN_DOUBT = 1;
    /** A usage or configuration error; the message names the option or key and how to fix it. */
    public static final int USAGE = 2;
    /**
     * A decision log cannot be used (corrupt, or a node's log is missing); the message names file and offset. For
     * {@code list} and {@code log dump} also a configured node without any log (most likely a wrong directory).
     */
    public static final int LOG_UNUSABLE = 3;
    /** Another recovery holds one of the nodes (a daemon, a {@code scan}, an application recovering in-process). */
    public static final int LOCKED = 4;
    /** {@code resolve} refused: the operator's decision would break atomicity, or the owner is alive. */
    public static final int RESOLVE_REFUSED = 5;
    /** Something unexpected failed (an I/O error outside a log, a bug); the stack trace is on stderr. */
    public static final int INTERNAL_ERROR = 6;

    private ExitCodes() {
    }
}
