package dev.lockstep.tm.internal.xa;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lockstep.testkit.XaCodeNames;
import org.junit.jupiter.api.Test;

/**
 * The test kit names XA codes in its events without Lockstep ({@code commit(db)!XAER_RMFAIL}); this keeps its names
 * those of {@link XaCodes}, the one home of XA code knowledge, so an event and a Lockstep message never disagree.
 */
class KitCodeNamesTest {

    @Test
    void theKitNamesEveryCodeAsXaCodesDoes() {
        for (int code = -20; code <= 120; code++) {
            assertEquals(XaCodes.name(code), XaCodeNames.name(code) + "(" + code + ")", "code " + code);
        }
    }
}
