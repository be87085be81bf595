package dev.lockstep.tm.internal.recovery;

import dev.lockstep.tm.internal.recovery.DecisionTable.Choice;
import dev.lockstep.tm.internal.recovery.DecisionTable.LogSays;
import dev.lockstep.tm.internal.xa.XaCalls;
import dev.lockstep.tm.internal.xa.XaCodes;
import dev.lockstep.tm.internal.xa.XaCodes.PhaseTwoOutcome;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.recovery.InDoubtTransaction.Owner;
import dev.lockstep.tm.recovery.RecoveryAction.Kind;
import java.time.Instant;
import java.util.Arrays;
import javax.transaction.xa.XAException;

/**
 * Step 3: decides each listed branch with the {@link DecisionTable} and makes the phase-two call it asks for. What
 * an answer means comes from {@link XaCodes}; a heuristic answer goes to the {@link HeuristicRecorder} (step 4).
 */
final class PhaseTwoCaller {

    private final Pass pass;
    private final HeuristicRecorder heuristics;

    PhaseTwoCaller(Pass pass) {
        this.pass = pass;
        this.heuristics = new HeuristicRecorder(pass);
    }

    void decideAll() {
        for (ListedTx tx : pass.listed.values()) {
            IncView v = pass.incs.get(tx.key());
            for (ListedBranch b : tx.branches) {
                decide(tx, v, b);
            }
        }
    }

    private void decide(ListedTx tx, IncView v, ListedBranch b) {
        Choice choice = DecisionTable.decide(inputOf(tx, v, b));
        switch (choice.action()) {
            case WAIT -> b.waitingFor = choice.reason();
            case COMMIT, ROLL_BACK -> {
                if (!pass.act) {
                    b.waitingFor = choice.inspected();
                    return;
                }
                phaseTwo(tx, v, b, choice.action() == DecisionTable.Action.COMMIT, choice.reason());
            }
            default -> throw new IllegalStateException("unknown action " + choice.action());
        }
    }

    /** The table's input for one branch: what the log says, the owner, and when the in-doubt grace ends. */
    private DecisionTable.Input inputOf(ListedTx tx, IncView v, ListedBranch b) {
        boolean alive = v != null && v.owner == Owner.ALIVE;
        if (v == null || v.problem != null) {
            return new DecisionTable.Input(LogSays.UNUSABLE, alive, pass.started, pass.started,
                    v == null ? "not read" : v.problem);
        }
        PendingDecision d = v.pending.get(tx.gtrid);
        if (d != null && hasHeuristic(d, b.xid.getBranchQualifier(), b.scan.name())) {
            return new DecisionTable.Input(LogSays.HEURISTIC, alive, pass.started, pass.started, null);
        }
        if (d != null && d.commit() != null) {
            Instant until = Instant.ofEpochMilli(d.commit().decidedAtMillis()).plus(pass.engine.safety);
            return new DecisionTable.Input(LogSays.COMMIT, alive, pass.started, until, null);
        }
        Instant until = Instant.ofEpochMilli(tx.parsed.deadlineMillis()).plus(pass.engine.safety);
        return new DecisionTable.Input(LogSays.NOTHING, alive, pass.started, until, null);
    }

    private static boolean hasHeuristic(PendingDecision d, byte[] bqual, String resource) {
        for (HeuristicRecord h : d.heuristics()) {
            if (Arrays.equals(h.bqual(), bqual) && h.resourceName().equals(resource)) {
                return true;
            }
        }
        return false;
    }

    /**
     * One commit or rollback of a branch that {@code recover()} just listed; XAER_NOTA is read as
     * {@link XaCodes#ofRecoveryPhaseTwo} says (invariant 6).
     */
    static PhaseTwoOutcome call(ListedBranch b, boolean committing) {
        b.lastError = null;
        PhaseTwoOutcome outcome = XaCalls.phaseTwo(b.scan.connection.xaResource(), b.xid, committing, b);
        return XaCodes.ofRecoveryPhaseTwo(outcome, b.lastError);
    }

    private void phaseTwo(ListedTx tx, IncView v, ListedBranch b, boolean committing, String why) {
        String name = b.scan.name();
        Kind kind = committing ? Kind.COMMIT : Kind.ROLLBACK;
        PhaseTwoOutcome outcome = call(b, committing);
        switch (outcome) {
            case DONE -> {
                b.finished = true;
                pass.action(kind, true, tx, b, why + b.code());
            }
            case NOT_FOUND -> {
                b.waitingFor = name + " answered XAER_NOTA although its recover() listed the branch: another "
                        + "session holds or finished it; the next scan checks recover() again (invariant 6)";
                pass.action(kind, false, tx, b, b.waitingFor);
            }
            case RETRY -> {
                b.waitingFor = b.lastError instanceof XAException
                        ? name + " answered" + b.code() + ": tried again at the next scan"
                        : name + " failed: " + Pass.describe(b.lastError) + "; tried again at the next scan";
                pass.action(kind, false, tx, b, b.waitingFor);
            }
            default -> heuristics.record(tx, v, b, XaCodes.heuristicOf(outcome, committing), why + b.code());
        }
    }
}
