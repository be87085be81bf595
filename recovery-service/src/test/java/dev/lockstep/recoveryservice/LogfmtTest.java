package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class LogfmtTest {

    private static final Instant T = Instant.parse("2026-11-21T10:00:00Z");

    @Test
    void plainValuesStayBareAndTheTimeHasMilliseconds() {
        assertEquals("ts=2026-11-21T10:00:00.000Z level=info event=commit ok=true node=orders-1",
                new Logfmt(T, "info", "commit").add("ok", true).add("node", "orders-1").toString());
    }

    @Test
    void valuesWithSpacesQuotesEqualsOrNothingAreQuotedAndEscaped() {
        assertEquals("ts=2026-11-21T10:00:00.000Z level=warn event=x a=\"two words\" b=\"say \\\"hi\\\"\" c=\"k=v\" "
                + "d=\"\" e=\"line\\nbreak\" f=\"back\\\\slash\"",
                new Logfmt(T, "warn", "x").add("a", "two words").add("b", "say \"hi\"").add("c", "k=v").add("d", "")
                        .add("e", "line\nbreak").add("f", "back\\slash").toString());
    }

    @Test
    void nullValuesAreLeftOut() {
        assertEquals("ts=2026-11-21T10:00:00.000Z level=info event=x b=1",
                new Logfmt(T, "info", "x").add("a", null).add("b", 1).toString());
    }

    @Test
    void instantsAreFormattedLikeTheTimestamp() {
        assertEquals("ts=2026-11-21T10:00:00.000Z level=info event=x at=2026-11-21T10:00:00.123Z",
                new Logfmt(T, "info", "x").add("at", T.plusMillis(123)).toString());
    }
}
