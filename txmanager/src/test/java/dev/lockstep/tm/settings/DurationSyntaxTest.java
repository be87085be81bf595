package dev.lockstep.tm.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationSyntaxTest {

    @Test
    void readsTheShortFormAndIso8601() {
        assertEquals(Duration.ofMillis(500), DurationSyntax.parse("500ms"));
        assertEquals(Duration.ofSeconds(2), DurationSyntax.parse("2s"));
        assertEquals(Duration.ofMinutes(1), DurationSyntax.parse("1m"));
        assertEquals(Duration.ofHours(1), DurationSyntax.parse("1h"));
        assertEquals(Duration.ZERO, DurationSyntax.parse("0s"));
        assertEquals(Duration.ofSeconds(2), DurationSyntax.parse("PT2S"));
        assertEquals(Duration.ofMillis(500), DurationSyntax.parse("PT0.5S"));
        assertEquals(Duration.ofDays(1), DurationSyntax.parse("P1D"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "s", "10 s", "1.5s", "-1s", "+1s", "10S", "10sec", "1d", "1h30m", "PT-1S",
        "PTx", "ten seconds"})
    void refusesEverythingElseSayingHowToWriteIt(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationSyntax.parse(text));
        assertTrue(e.getMessage().contains(DurationSyntax.ACCEPTED_FORMS), e.getMessage());
    }

    @Test
    void formatsInTheShortForm() {
        for (String s : new String[] {"0s", "500ms", "1500ms", "10s", "90s", "2m", "1h", "25h"}) {
            assertEquals(s, DurationSyntax.format(DurationSyntax.parse(s)));
        }
        assertEquals("PT0.0005S", DurationSyntax.format(Duration.ofNanos(500_000)));
    }
}
