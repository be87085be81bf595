package dev.lockstep.tm.internal.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.ScriptedXAResource.Verb;
import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The race rows of docs/failure-matrix.md: what a second thread's JTA call gets, and what the completing thread
 * gets, when the call comes while the completion is inside one of its XA calls. Each row runs the scenario with the
 * second thread started at that call, the first held until the second has finished or is blocked waiting for it
 * ({@link SecondThread}). {@link CompletionRaceSweepTest} checks the invariants at every call of every kind of
 * completion; this table says what the answers are at the calls that show each stage.
 *
 * <p>Scenario of every row: r1 and r2 enlisted, then commit() (or rollback() for the last stage); the second thread
 * acts at the first call of the stage's verb on r1.
 */
class RaceMatrixTest {

    enum Stage {
        END("end(r1) of commit(): still ACTIVE, the decision not yet taken", Verb.END, false),
        PREPARE("prepare(r1): PREPARING", Verb.PREPARE, false),
        COMMIT("commit(r1): COMMITTING, the COMMIT record is durable", Verb.COMMIT, false),
        ROLLBACK("rollback(r1) of rollback(): ROLLING_BACK", Verb.ROLLBACK, true);

        final String what;
        final Verb verb;
        final boolean rollback;

        Stage(String what, Verb verb, boolean rollback) {
            this.what = what;
            this.verb = verb;
            this.rollback = rollback;
        }
    }

    enum Call {
        SET_ROLLBACK_ONLY("setRollbackOnly()"),
        ROLLBACK("rollback()"),
        ENLIST("enlistResource(r3)"),
        DELIST_FAIL("delistResource(r2, TMFAIL)"),
        GET_STATUS("getStatus()"),
        TIMEOUT("the reaper's timeout");

        final String what;

        Call(String what) {
            this.what = what;
        }
    }

    /**
     * @param answers what the second thread may get; several when it waited for the first and the order after that
     *     is free (each is then legal)
     */
    record Row(Stage stage, Call call, List<String> answers, String outcome) {
        @Override
        public String toString() {
            return stage + " " + call;
        }
    }

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        String ise = "IllegalStateException ";
        row(rows, Stage.END, Call.SET_ROLLBACK_ONLY, "rolled back", "returns (marked)");
        row(rows, Stage.END, Call.ROLLBACK, "committed", ise + "LKS-125");
        row(rows, Stage.END, Call.ENLIST, "committed", ise + "LKS-112");
        // It waits for commit's end(r2); then the transaction is ACTIVE (false) or already PREPARING (refused).
        row(rows, Stage.END, Call.DELIST_FAIL, "committed", "false", ise + "LKS-114");
        row(rows, Stage.END, Call.GET_STATUS, "committed", "STATUS_ACTIVE");
        row(rows, Stage.END, Call.TIMEOUT, "committed", "false");
        for (Stage s : List.of(Stage.PREPARE, Stage.COMMIT)) {
            row(rows, s, Call.SET_ROLLBACK_ONLY, "committed", ise + "LKS-104");
            row(rows, s, Call.ROLLBACK, "committed", ise + "LKS-125");
            row(rows, s, Call.ENLIST, "committed", ise + "LKS-112");
            row(rows, s, Call.DELIST_FAIL, "committed", ise + "LKS-114");
            row(rows, s, Call.GET_STATUS, "committed", s == Stage.PREPARE ? "STATUS_PREPARING" : "STATUS_COMMITTING");
            row(rows, s, Call.TIMEOUT, "committed", "false");
        }
        row(rows, Stage.ROLLBACK, Call.SET_ROLLBACK_ONLY, "rolled back", "returns (nothing to mark)");
        row(rows, Stage.ROLLBACK, Call.ROLLBACK, "rolled back", ise + "LKS-125");
        row(rows, Stage.ROLLBACK, Call.ENLIST, "rolled back", ise + "LKS-112");
        row(rows, Stage.ROLLBACK, Call.DELIST_FAIL, "rolled back", ise + "LKS-114");
        row(rows, Stage.ROLLBACK, Call.GET_STATUS, "rolled back", "STATUS_ROLLING_BACK");
        row(rows, Stage.ROLLBACK, Call.TIMEOUT, "rolled back", "false");
        return rows;
    }

    private static void row(List<Row> rows, Stage stage, Call call, String outcome, String... answers) {
        rows.add(new Row(stage, call, Arrays.asList(answers), outcome));
    }

    static Stream<Row> matrix() {
        return rows().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void row(Row row) throws Exception {
        try (Fixture f = new Fixture()) {
            var r1 = f.resource("r1");
            var r2 = f.resource("r2");
            var r3 = f.resource("r3");
            f.tm.begin();
            Transaction tx = f.tm.getTransaction();
            List<Integer> statuses = CompletionHardeningTest.recordAfterCompletion(tx);
            tx.enlistResource(r1);
            tx.enlistResource(r2);
            List<SecondThread> second = new ArrayList<>();
            r1.hook(CompletionHardeningTest.once(row.stage.verb, () -> second.add(SecondThread.runBesides("second",
                    () -> act(row.call, tx, r2, r3)))));
            String outcome;
            try {
                if (row.stage.rollback) {
                    f.tm.rollback();
                    outcome = "rolled back";
                } else {
                    f.tm.commit();
                    outcome = "committed";
                }
            } catch (Exception e) {
                outcome = e.getClass().getSimpleName().equals("RollbackException") ? "rolled back" : e.toString();
            }
            f.awaitRetriesDone();
            SecondThread t = second.get(0).join();
            String answer = t.failure() == null ? String.valueOf(t.result()).replace("returns", row.answers.get(0))
                    : t.failure().getClass().getSimpleName() + " " + t.failure().getMessage().substring(0, 7);
            assertTrue(row.answers.contains(answer), row + ": the second thread got " + answer + ", expected one of "
                    + row.answers);
            assertEquals(row.outcome, outcome, row + ": " + f.events);
            assertEquals(List.of(row.outcome.equals("committed") ? Status.STATUS_COMMITTED
                    : Status.STATUS_ROLLEDBACK), statuses, row + ": afterCompletion");
        }
    }

    private static Object act(Call call, Transaction tx, XAResource r2, XAResource r3) throws Exception {
        return switch (call) {
            case SET_ROLLBACK_ONLY -> {
                tx.setRollbackOnly();
                yield "returns";
            }
            case ROLLBACK -> {
                tx.rollback();
                yield "rolled back";
            }
            case ENLIST -> tx.enlistResource(r3);
            case DELIST_FAIL -> tx.delistResource(r2, XAResource.TMFAIL);
            case GET_STATUS -> TxState.statusName(tx.getStatus());
            case TIMEOUT -> ((LockstepTransaction) tx).timeOut();
        };
    }

    /** The race section of docs/failure-matrix.md. */
    static String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("\n## A second thread during a completion\n\n")
          .append("Rendered from `RaceMatrixTest`: r1 and r2 enlisted, then `commit()` (or `rollback()` in the last\n")
          .append("table); while the completing thread is inside the named call on r1, a second thread makes a JTA\n")
          .append("call on the same transaction. `CompletionRaceSweepTest` checks the invariants (one outcome,\n")
          .append("afterCompletion once, nothing left prepared, legal XA calls) for every such call at every XA call\n")
          .append("of every kind of completion; `PoolRaceSweepTest` (jdbc) does the same through Agroal and checks\n")
          .append("that every connection comes back. Where the second thread waits for the first, either answer\n")
          .append("shown can come.\n");
        for (Stage stage : Stage.values()) {
            sb.append("\n### during ").append(stage.what).append("\n\n")
              .append("| second thread | it gets | the completion |\n|---|---|---|\n");
            for (Row r : rows()) {
                if (r.stage == stage) {
                    sb.append("| ").append(r.call.what).append(" | ").append(String.join(" or ", r.answers))
                      .append(" | ").append(r.outcome).append(" |\n");
                }
            }
        }
        return sb.toString();
    }
}
