package dev.lockstep.tm.internal.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.Status;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TxStateTest {

    private static final Map<TxState, Set<TxState>> LEGAL = Map.ofEntries(
            Map.entry(TxState.ACTIVE, EnumSet.of(TxState.MARKED_ROLLBACK, TxState.PREPARING, TxState.COMMITTING,
                    TxState.COMMITTED, TxState.ROLLING_BACK)),
            Map.entry(TxState.MARKED_ROLLBACK, EnumSet.of(TxState.ROLLING_BACK)),
            Map.entry(TxState.PREPARING, EnumSet.of(TxState.PREPARED, TxState.COMMITTED, TxState.ROLLING_BACK)),
            Map.entry(TxState.PREPARED, EnumSet.of(TxState.COMMITTING, TxState.ROLLING_BACK, TxState.UNKNOWN)),
            Map.entry(TxState.COMMITTING, EnumSet.of(TxState.COMMITTED, TxState.ROLLED_BACK,
                    TxState.ROLLING_BACK, TxState.HEURISTIC_ROLLBACK, TxState.HEURISTIC_MIXED,
                    TxState.HEURISTIC_HAZARD)),
            Map.entry(TxState.COMMITTED, EnumSet.noneOf(TxState.class)),
            Map.entry(TxState.ROLLING_BACK, EnumSet.of(TxState.ROLLED_BACK, TxState.HEURISTIC_COMMIT)),
            Map.entry(TxState.ROLLED_BACK, EnumSet.noneOf(TxState.class)),
            Map.entry(TxState.UNKNOWN, EnumSet.noneOf(TxState.class)),
            Map.entry(TxState.HEURISTIC_ROLLBACK, EnumSet.noneOf(TxState.class)),
            Map.entry(TxState.HEURISTIC_MIXED, EnumSet.noneOf(TxState.class)),
            Map.entry(TxState.HEURISTIC_HAZARD, EnumSet.noneOf(TxState.class)),
            Map.entry(TxState.HEURISTIC_COMMIT, EnumSet.noneOf(TxState.class)));

    /**
     * The heuristic end states must be logged (their HEURISTIC record durable before the resource may forget), and
     * {@code getStatus()} reports in them the decision they followed, as it did when they ended in COMMITTED or
     * ROLLED_BACK; afterCompletion is told STATUS_UNKNOWN.
     */
    private static final Set<TxState> MUST_BE_LOGGED = EnumSet.of(TxState.HEURISTIC_ROLLBACK,
            TxState.HEURISTIC_MIXED, TxState.HEURISTIC_HAZARD, TxState.HEURISTIC_COMMIT);

    /** Walks the whole table: every pair is either legal as listed or refused with both states named. */
    @Test
    void everyMoveIsCheckedAgainstTheTable() {
        assertEquals(TxState.values().length, LEGAL.size());
        for (TxState from : TxState.values()) {
            for (TxState to : TxState.values()) {
                if (LEGAL.get(from).contains(to)) {
                    assertEquals(to, from.checkMove(to, "tx"), from + " -> " + to);
                } else {
                    var e = assertThrows(IllegalStateException.class, () -> from.checkMove(to, "tx"));
                    assertTrue(e.getMessage().contains(from + " to " + to), e.getMessage());
                }
            }
            assertEquals(LEGAL.get(from).isEmpty(), from.isTerminal());
        }
    }

    @Test
    void heuristicEndStatesMustBeLoggedAndReportTheirDecision() {
        for (TxState s : TxState.values()) {
            assertEquals(MUST_BE_LOGGED.contains(s), s.mustBeLogged(), s.toString());
            if (s.mustBeLogged()) {
                assertTrue(s.isTerminal(), s.toString());
                assertEquals(Status.STATUS_UNKNOWN, s.completionStatus(), s.toString());
                assertEquals(s == TxState.HEURISTIC_COMMIT ? Status.STATUS_ROLLEDBACK : Status.STATUS_COMMITTED,
                        s.jtaStatus(), s.toString());
            } else {
                assertEquals(s.jtaStatus(), s.completionStatus(), s.toString());
            }
        }
    }
}
