package dev.lockstep.tm.internal.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
                    TxState.ROLLING_BACK)),
            Map.entry(TxState.COMMITTED, EnumSet.noneOf(TxState.class)),
            Map.entry(TxState.ROLLING_BACK, EnumSet.of(TxState.ROLLED_BACK)),
            Map.entry(TxState.ROLLED_BACK, EnumSet.noneOf(TxState.class)),
            Map.entry(TxState.UNKNOWN, EnumSet.noneOf(TxState.class)));

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
}
