package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.testkit.ScriptedXAResource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.lockstep.testkit.ScriptedXAResource.Verb;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import java.util.List;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;

/**
 * Scenario of every test: a branch decides on its own in phase two (or in a one-phase commit, or a rollback).
 * Expected: the transaction ends in the heuristic state that says what happened (one that must be logged), the caller
 * gets the same exception as before those states existed, afterCompletion is told STATUS_UNKNOWN, and
 * {@code getStatus()} still reports the decision: STATUS_COMMITTED after a commit decision, STATUS_ROLLEDBACK after a
 * rollback.
 */
class HeuristicEndStateTest {

    @Test
    void someBranchesCommittedIsHeuristicMixed() throws Exception {
        try (Fixture f = new Fixture()) {
            Outcome o = run(f, true, f.resource("r1").failOn(Verb.COMMIT, XAException.XA_HEURMIX), f.resource("r2"));
            o.check(HeuristicMixedException.class, TxState.HEURISTIC_MIXED, Status.STATUS_COMMITTED);
        }
    }

    @Test
    void noBranchCommittedIsHeuristicRollback() throws Exception {
        try (Fixture f = new Fixture()) {
            Outcome o = run(f, true, f.resource("r1").failOn(Verb.COMMIT, XAException.XA_HEURRB),
                    f.resource("r2").failOn(Verb.COMMIT, XAException.XA_HEURRB));
            o.check(HeuristicRollbackException.class, TxState.HEURISTIC_ROLLBACK, Status.STATUS_COMMITTED);
        }
    }

    @Test
    void aOnePhaseCommitThatAnsweredHeurMixIsHeuristicMixed() throws Exception {
        try (Fixture f = new Fixture()) {
            Outcome o = run(f, true, f.resource("r1").failOn(Verb.COMMIT, XAException.XA_HEURMIX));
            o.check(HeuristicMixedException.class, TxState.HEURISTIC_MIXED, Status.STATUS_COMMITTED);
        }
    }

    @Test
    void aOnePhaseCommitWithAnUnknownOutcomeIsHeuristicHazard() throws Exception {
        try (Fixture f = new Fixture()) {
            Outcome o = run(f, true, f.resource("r1").failOn(Verb.COMMIT, XAException.XAER_RMFAIL));
            o.check(HeuristicMixedException.class, TxState.HEURISTIC_HAZARD, Status.STATUS_COMMITTED);
        }
    }

    @Test
    void aRollbackThatABranchDidNotFollowIsHeuristicCommit() throws Exception {
        try (Fixture f = new Fixture()) {
            Outcome o = run(f, false, f.resource("r1").failOn(Verb.ROLLBACK, XAException.XA_HEURCOM),
                    f.resource("r2"));
            o.check(SystemException.class, TxState.HEURISTIC_COMMIT, Status.STATUS_ROLLEDBACK);
        }
    }

    private static Outcome run(Fixture f, boolean commit, ScriptedXAResource... resources) throws Exception {
        f.tm.begin();
        Transaction tx = f.tm.getTransaction();
        List<Integer> statuses = CompletionHardeningTest.recordAfterCompletion(tx);
        for (ScriptedXAResource r : resources) {
            tx.enlistResource(r);
        }
        Exception thrown = null;
        try {
            if (commit) {
                f.tm.commit();
            } else {
                f.tm.rollback();
            }
        } catch (Exception e) {
            thrown = e;
        }
        f.awaitRetriesDone();
        return new Outcome((LockstepTransaction) tx, thrown, statuses, f);
    }

    private record Outcome(LockstepTransaction tx, Exception thrown, List<Integer> statuses, Fixture f) {
        void check(Class<? extends Exception> expected, TxState end, int jtaStatus) {
            assertInstanceOf(expected, thrown, f.events.toString());
            assertEquals(end, tx.state(), f.events.toString());
            assertEquals(true, end.mustBeLogged());
            assertEquals(TxState.statusName(jtaStatus), TxState.statusName(tx.getStatus()));
            assertEquals(List.of(Status.STATUS_UNKNOWN), statuses, f.events.toString());
        }
    }
}
