package dev.lockstep.tm.internal.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveTransactionsTest {

    /*
     * Scenario: 10,000 transactions live at once, more than the table has slots, so many go to the overflow map;
     * then they complete in reverse order.
     * Expected: every one is listed while live (the reaper and the drain see them all), none after.
     */
    @Test
    void everyLiveTransactionIsListedAlsoBeyondTheSlots() throws Exception {
        try (Fixture f = new Fixture()) {
            List<LockstepTransaction> begun = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                f.tm.begin();
                begun.add(f.tm.suspend());
            }
            List<LockstepTransaction> listed = f.coordinator.liveTransactions();
            assertEquals(10_000, listed.size());
            assertEquals(new HashSet<>(begun), new HashSet<>(listed));
            for (int i = begun.size() - 1; i >= 0; i--) {
                f.tm.resume(begun.get(i));
                f.tm.rollback();
            }
            assertTrue(f.coordinator.liveTransactions().isEmpty());
        }
    }
}
