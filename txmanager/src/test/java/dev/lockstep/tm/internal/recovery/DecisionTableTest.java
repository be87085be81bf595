package dev.lockstep.tm.internal.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.tm.internal.recovery.DecisionTable.Action;
import dev.lockstep.tm.internal.recovery.DecisionTable.Choice;
import dev.lockstep.tm.internal.recovery.DecisionTable.Input;
import dev.lockstep.tm.internal.recovery.DecisionTable.LogSays;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decision table of recovery (docs/recovery.md, step 3): every combination of what the log says, whether the
 * owner is alive, and whether the in-doubt grace has ended, with the action each must get. Rendered between the
 * markers in docs/recovery.md; the last test fails when the document no longer matches (run with
 * -Dlockstep.renderDecisionTable=true to rewrite that part).
 */
class DecisionTableTest {

    static final String BEGIN = "<!-- decision-table:begin (rendered by DecisionTableTest, do not edit) -->";
    static final String END = "<!-- decision-table:end -->";

    private static final Instant GRACE_END = Instant.parse("2026-01-01T00:00:30Z");
    private static final String PROBLEM = "corrupt log: bad CRC";

    /** Whether the pass started before the grace ended, or at or after its end. */
    enum Time {
        BEFORE("before its end", GRACE_END.minusMillis(1)),
        REACHED("ended", GRACE_END);

        final String text;
        final Instant now;

        Time(String text, Instant now) {
            this.text = text;
            this.now = now;
        }
    }

    record Row(LogSays log, boolean alive, Time time, Action expected) {
        Input input() {
            return new Input(log, alive, time.now, GRACE_END, PROBLEM);
        }

        @Override
        public String toString() {
            return log + " " + (alive ? "alive" : "dead") + " " + time;
        }
    }

    /** Every combination, with the action the invariants demand. */
    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (LogSays log : LogSays.values()) {
            for (boolean alive : new boolean[] {false, true}) {
                for (Time time : Time.values()) {
                    rows.add(new Row(log, alive, time, expected(log, alive, time)));
                }
            }
        }
        return rows;
    }

    /** The rules as docs/recovery.md states them in words, independently of DecisionTable's code. */
    private static Action expected(LogSays log, boolean alive, Time time) {
        boolean ownerMayStillAct = alive && time == Time.BEFORE;
        return switch (log) {
            case UNUSABLE, HEURISTIC -> Action.WAIT; // an operator decides; nothing is guessed
            case COMMIT -> ownerMayStillAct ? Action.WAIT : Action.COMMIT; // its own phase two is at work
            case NOTHING -> ownerMayStillAct ? Action.WAIT : Action.ROLL_BACK; // presumed abort (invariant 5)
        };
    }

    static Stream<Row> cases() {
        return rows().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachCombinationGetsItsAction(Row row) {
        Choice c = DecisionTable.decide(row.input());
        assertEquals(row.expected(), c.action(), row.toString());
        assertTrue(c.reason() != null && !c.reason().isBlank(), row + ": no reason");
        assertEquals(c, DecisionTable.decide(row.input()), row + ": not a pure function");
        if (c.action() == Action.WAIT) {
            assertEquals(c.reason(), c.inspected(), row + ": an inspection reports what a scan waits for");
        }
    }

    @Test
    void theGraceEndsAtItsInstantNotAfter() {
        Input oneMsLater = new Input(LogSays.NOTHING, true, GRACE_END.plus(Duration.ofMillis(1)), GRACE_END, null);
        assertEquals(Action.ROLL_BACK, DecisionTable.decide(oneMsLater).action());
        assertEquals(Action.WAIT, DecisionTable.decide(new Input(LogSays.COMMIT, true, Instant.MIN, GRACE_END, null))
                .action());
    }

    /** The table between the markers of docs/recovery.md is this one, rendered. */
    @Test
    void documentMatchesTheTable() throws IOException {
        Path doc = Path.of("..", "docs", "recovery.md");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            fail("docs/recovery.md has no markers '" + BEGIN + "' ... '" + END + "' for the decision table");
        }
        String rendered = text.substring(0, begin) + BEGIN + "\n" + render() + "   " + text.substring(end);
        if (Boolean.getBoolean("lockstep.renderDecisionTable")) {
            Files.writeString(doc, rendered, StandardCharsets.UTF_8);
            text = rendered;
        }
        if (!text.equals(rendered)) {
            fail("docs/recovery.md does not match DecisionTableTest.rows(); regenerate it with "
                    + "mvn -pl txmanager test -Dtest=DecisionTableTest -Dlockstep.renderDecisionTable=true");
        }
    }

    /** The table, indented to sit in step 3 of the numbered list. */
    static String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("\n   | the log says | owner | in-doubt grace | action | reason |\n")
          .append("   |---|---|---|---|---|\n");
        for (Row r : rows()) {
            Choice c = DecisionTable.decide(r.input());
            String reason = c.reason().replace(GRACE_END.toString(), "*grace end*").replace(PROBLEM, "*problem*");
            sb.append("   | ").append(r.log().text).append(" | ").append(r.alive() ? "alive" : "dead").append(" | ")
              .append(r.time().text).append(" | ").append(c.action().text).append(" | ").append(reason)
              .append(" |\n");
        }
        return sb.append("\n").toString();
    }
}
