package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.testkit.Events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.testkit.ScriptedXAResource.Verb;
import dev.lockstep.tm.internal.xa.XaCodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The failure matrix: for each phase and each XA error code that resource r1 can answer there, the outcome the
 * caller sees and the ordered events on the resources and the log. Rendered in docs/failure-matrix.md; the last test
 * fails when the document no longer matches (run with -Dlockstep.renderFailureMatrix=true to rewrite it).
 *
 * <p>Scenario of every row: resources r1 and r2 (only r1 for the one-phase rows), enlisted in that order, phases
 * sequential so the order is deterministic; r1 fails once in the row's phase, then behaves. The events column starts
 * after {@code start(r1), start(r2)}; {@code %C} stands for the row's code.
 */
class FailureMatrixTest {

    enum Phase {
        END("end(r1) at commit"),
        PREPARE("prepare(r1)"),
        COMMIT("commit(r1), first attempt after the decision"),
        ONE_PHASE("commit(r1, onePhase) of a single branch"),
        ROLLBACK("rollback(r1) of an application rollback");

        final String what;

        Phase(String what) {
            this.what = what;
        }
    }

    record Row(Phase phase, int code, String outcome, String events) {
        String codeName() {
            return XaCodes.name(code).replaceAll("\\(.*", "");
        }

        List<String> expectedEvents() {
            return Arrays.stream(events.replace("%C", codeName()).split(", ")).toList();
        }

        @Override
        public String toString() {
            return phase + " " + codeName();
        }
    }

    private static final int RB = XAException.XA_RBROLLBACK;
    private static final int RMFAIL = XAException.XAER_RMFAIL;
    private static final int RMERR = XAException.XAER_RMERR;
    private static final int NOTA = XAException.XAER_NOTA;
    private static final int INVAL = XAException.XAER_INVAL;
    private static final int PROTO = XAException.XAER_PROTO;
    private static final int RETRY = XAException.XA_RETRY;
    private static final int HEURCOM = XAException.XA_HEURCOM;
    private static final int HEURRB = XAException.XA_HEURRB;
    private static final int HEURMIX = XAException.XA_HEURMIX;
    private static final int HEURHAZ = XAException.XA_HEURHAZ;

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        String twoPc = "end(r1), end(r2), prepare(r1), prepare(r2), log COMMIT forced, ";
        // end: XA_RB* means r1 is rolled back already; anything else leaves r1 to be rolled back.
        add(rows, Phase.END, "RollbackException", "end(r1)!%C, end(r2), rollback(r2)", RB);
        add(rows, Phase.END, "RollbackException", "end(r1)!%C, end(r2), rollback(r1), rollback(r2)",
                RMFAIL, RMERR, NOTA, INVAL, PROTO, RETRY, HEURCOM, HEURRB, HEURMIX, HEURHAZ);
        // prepare: any failure rolls everything back; XA_RB* spares r1 the rollback call.
        add(rows, Phase.PREPARE, "RollbackException", "end(r1), end(r2), prepare(r1)!%C, prepare(r2), rollback(r2)",
                RB);
        add(rows, Phase.PREPARE, "RollbackException",
                "end(r1), end(r2), prepare(r1)!%C, prepare(r2), rollback(r1), rollback(r2)",
                RMFAIL, RMERR, NOTA, INVAL, PROTO, RETRY, HEURCOM, HEURRB, HEURMIX, HEURHAZ);
        // commit after the decision: transient codes are retried in the background and commit() returns.
        add(rows, Phase.COMMIT, "committed; r1 retried in the background",
                twoPc + "commit(r1)!%C, commit(r2), commit(r1), log END", RMFAIL, RMERR, INVAL, PROTO, RETRY);
        add(rows, Phase.COMMIT, "committed", twoPc + "commit(r1)!%C, forget(r1), commit(r2), log END", HEURCOM);
        add(rows, Phase.COMMIT, "HeuristicMixedException (LOST)",
                twoPc + "commit(r1)!%C, commit(r2), log HEURISTIC LOST", NOTA);
        add(rows, Phase.COMMIT, "HeuristicMixedException",
                twoPc + "commit(r1)!%C, commit(r2), log HEURISTIC ROLLBACK, forget(r1)", RB, HEURRB);
        add(rows, Phase.COMMIT, "HeuristicMixedException",
                twoPc + "commit(r1)!%C, commit(r2), log HEURISTIC MIXED, forget(r1)", HEURMIX);
        add(rows, Phase.COMMIT, "HeuristicMixedException",
                twoPc + "commit(r1)!%C, commit(r2), log HEURISTIC HAZARD, forget(r1)", HEURHAZ);
        // one phase: the resource alone decides; an unknown outcome is reported, never guessed.
        add(rows, Phase.ONE_PHASE, "committed", "end(r1), commit1p(r1)!%C, forget(r1)", HEURCOM);
        add(rows, Phase.ONE_PHASE, "RollbackException", "end(r1), commit1p(r1)!%C", RB, NOTA);
        add(rows, Phase.ONE_PHASE, "RollbackException", "end(r1), commit1p(r1)!%C, forget(r1)", HEURRB);
        add(rows, Phase.ONE_PHASE, "HeuristicMixedException",
                "end(r1), commit1p(r1)!%C, log HEURISTIC MIXED, forget(r1)", HEURMIX);
        add(rows, Phase.ONE_PHASE, "HeuristicMixedException",
                "end(r1), commit1p(r1)!%C, log HEURISTIC HAZARD, forget(r1)", HEURHAZ);
        add(rows, Phase.ONE_PHASE, "HeuristicMixedException (outcome unknown)",
                "end(r1), commit1p(r1)!%C, log HEURISTIC HAZARD", RMFAIL, RMERR, INVAL, PROTO, RETRY);
        // rollback: not-found and already-rolled-back are done; transient codes are retried.
        add(rows, Phase.ROLLBACK, "rolled back", "end(r1), end(r2), rollback(r1)!%C, rollback(r2)", RB, NOTA);
        add(rows, Phase.ROLLBACK, "rolled back", "end(r1), end(r2), rollback(r1)!%C, forget(r1), rollback(r2)",
                HEURRB);
        add(rows, Phase.ROLLBACK, "rolled back; r1 retried in the background",
                "end(r1), end(r2), rollback(r1)!%C, rollback(r2), rollback(r1)", RMFAIL, RMERR, INVAL, PROTO, RETRY);
        add(rows, Phase.ROLLBACK, "SystemException (heuristic)",
                "end(r1), end(r2), rollback(r1)!%C, rollback(r2), log HEURISTIC MIXED, forget(r1)", HEURCOM, HEURMIX);
        add(rows, Phase.ROLLBACK, "SystemException (heuristic)",
                "end(r1), end(r2), rollback(r1)!%C, rollback(r2), log HEURISTIC HAZARD, forget(r1)", HEURHAZ);
        return rows;
    }

    private static void add(List<Row> rows, Phase phase, String outcome, String events, int... codes) {
        for (int code : codes) {
            rows.add(new Row(phase, code, outcome, events));
        }
    }

    static Stream<Row> matrix() {
        return rows().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void row(Row row) throws Exception {
        try (Fixture f = new Fixture()) {
            var r1 = f.resource("r1");
            r1.failOn(switch (row.phase) {
                case END -> Verb.END;
                case PREPARE -> Verb.PREPARE;
                case COMMIT, ONE_PHASE -> Verb.COMMIT;
                case ROLLBACK -> Verb.ROLLBACK;
            }, row.code);
            f.tm.begin();
            f.tm.getTransaction().enlistResource(r1);
            if (row.phase != Phase.ONE_PHASE) {
                f.tm.getTransaction().enlistResource(f.resource("r2"));
            }
            String outcome;
            try {
                if (row.phase == Phase.ROLLBACK) {
                    f.tm.rollback();
                    outcome = "rolled back";
                } else {
                    f.tm.commit();
                    outcome = "committed";
                }
            } catch (Exception e) {
                outcome = e.getClass().getSimpleName();
            }
            f.awaitRetriesDone();
            assertTrue(row.outcome.startsWith(outcome), row + ": expected " + row.outcome + ", got " + outcome);
            List<String> events = f.events.all();
            int from = row.phase == Phase.ONE_PHASE ? 1 : 2;
            assertEquals(row.expectedEvents(), events.subList(from, events.size()), row.toString());
        }
    }

    /** docs/failure-matrix.md is this matrix, rendered. */
    @Test
    void documentMatchesTheMatrix() throws IOException {
        Path doc = Path.of("..", "docs", "failure-matrix.md");
        String rendered = render();
        if (Boolean.getBoolean("lockstep.renderFailureMatrix")) {
            Files.writeString(doc, rendered, StandardCharsets.UTF_8);
        }
        if (!Files.exists(doc) || !Files.readString(doc, StandardCharsets.UTF_8).equals(rendered)) {
            fail("docs/failure-matrix.md does not match FailureMatrixTest.rows(); regenerate it with "
                    + "mvn -pl txmanager test -Dtest=FailureMatrixTest -Dlockstep.renderFailureMatrix=true");
        }
    }

    static String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Failure matrix\n\n")
          .append("What Lockstep does when a resource answers an XA error code, phase by phase. This page is\n")
          .append("rendered from `FailureMatrixTest` (txmanager), which runs every row against scripted resources;\n")
          .append("regenerate it with\n")
          .append("`mvn -pl txmanager test -Dtest=FailureMatrixTest -Dlockstep.renderFailureMatrix=true`.\n\n")
          .append("Scenario of every row: resources r1 and r2 (only r1 for one-phase rows) enlisted in that order,\n")
          .append("phases run sequentially so the order is deterministic; r1 answers the code once in the row's\n")
          .append("phase and then behaves. Events start after `start(r1), start(r2)`; `!CODE` marks the failed\n")
          .append("call; `log COMMIT forced` is the durable decision (invariant 1, presumed abort). The meaning of each\n")
          .append("code lives in one class, `dev.lockstep.tm.internal.xa.XaCodes`.\n");
        for (Phase phase : Phase.values()) {
            sb.append("\n## ").append(phase.what).append("\n\n| code | outcome for the caller | events |\n|---|---|---|\n");
            for (Row r : rows()) {
                if (r.phase == phase) {
                    sb.append("| `").append(r.codeName()).append("` | ").append(r.outcome).append(" | ")
                      .append(String.join(", ", r.expectedEvents())).append(" |\n");
                }
            }
        }
        sb.append(dev.lockstep.tm.recovery.StorageFaultMatrixTest.render());
        sb.append(RaceMatrixTest.render());
        return sb.toString();
    }
}
