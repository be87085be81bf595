package dev.lockstep.tm.internal.recovery;

import java.time.Instant;
import java.util.Objects;

/**
 * The decision table of docs/recovery.md (step 3) as one pure function: what the log says about a listed branch's
 * transaction, whether the incarnation that owns it is alive, and whether the in-doubt grace has ended decide whether
 * recovery commits it, rolls it back or waits, and why. The grace ends {@code orphanSafetyInterval} after the COMMIT
 * decision for a decided transaction, and {@code orphanSafetyInterval} after the transaction's deadline for one
 * without a decision (invariant 5). DecisionTableTest enumerates every combination and renders the table into
 * docs/recovery.md.
 */
final class DecisionTable {

    private DecisionTable() {
    }

    /** What the log says about the branch's transaction, in the order the table checks it. */
    enum LogSays {
        /** The owner's log is missing, corrupt or unreadable: nothing is guessed. */
        UNUSABLE("log missing or corrupt"),
        /** A heuristic outcome is recorded for this very branch: an operator resolves it. */
        HEURISTIC("heuristic recorded for this branch"),
        /** A durable COMMIT decision. */
        COMMIT("COMMIT"),
        /** No COMMIT decision: presumed abort, once nobody can decide any more. */
        NOTHING("nothing");

        final String text;

        LogSays(String text) {
            this.text = text;
        }
    }

    /** What recovery does with the branch. */
    enum Action {
        COMMIT("`commit(xid, false)`"),
        ROLL_BACK("`rollback(xid)`"),
        WAIT("leave it");

        final String text;

        Action(String text) {
            this.text = text;
        }
    }

    /**
     * The inputs of one decision.
     *
     * @param log what the log says
     * @param ownerAlive true if the owning incarnation's lock is held (its transaction manager may still act)
     * @param now when the pass started
     * @param graceEnds decided-at plus the safety interval (COMMIT), or deadline plus it (NOTHING); else unused
     * @param logProblem why the log cannot be used (UNUSABLE); else unused
     */
    record Input(LogSays log, boolean ownerAlive, Instant now, Instant graceEnds, String logProblem) {
        Input {
            Objects.requireNonNull(log, "log");
            Objects.requireNonNull(now, "now");
        }

        boolean graceEnded() {
            return !now.isBefore(graceEnds);
        }
    }

    /**
     * A decision.
     *
     * @param action what a scan does
     * @param reason why: the detail of the scan's action, or what the branch waits for
     * @param inspected what a read-only inspection reports instead of acting (the same as {@code reason} for WAIT)
     */
    record Choice(Action action, String reason, String inspected) {
    }

    /** The table; a pure function of its input. */
    static Choice decide(Input in) {
        switch (in.log()) {
            case UNUSABLE:
                return waiting("its log cannot be used (" + in.logProblem() + "): nothing is guessed; check "
                        + "log.directory, read what the log holds with 'log dump', and finish the branch with the "
                        + "resource's own tools (docs/recovery.md, 'Left out')");
            case HEURISTIC:
                return waiting("a heuristic outcome is recorded for this branch: an operator resolves it");
            case COMMIT:
                if (in.ownerAlive() && !in.graceEnded()) {
                    // Committing under the owner's feet would turn its first attempt into XAER_NOTA, a false
                    // "lost branch" heuristic (invariant 5).
                    return waiting("COMMIT decided and its owner is alive: its own phase two commits it; recovery "
                            + "commits it after " + in.graceEnds());
                }
                return new Choice(Action.COMMIT, "COMMIT decision in the log",
                        "COMMIT decided: the next scan commits it");
            case NOTHING:
            default:
                if (in.ownerAlive() && !in.graceEnded()) {
                    // No COMMIT may be written after the deadline, so after deadline + interval none can appear.
                    return waiting("no decision yet and its owner is alive: presumed abort after its deadline plus "
                            + "the orphan safety interval, " + in.graceEnds());
                }
                return new Choice(Action.ROLL_BACK, in.ownerAlive()
                        ? "no decision, and its deadline plus the orphan safety interval passed"
                        : "no decision, and its owner is dead: presumed abort",
                        "no COMMIT decision and " + (in.ownerAlive() ? "its deadline passed" : "its owner is dead")
                                + ": the next scan rolls it back (presumed abort)");
        }
    }

    private static Choice waiting(String why) {
        return new Choice(Action.WAIT, why, why);
    }
}
