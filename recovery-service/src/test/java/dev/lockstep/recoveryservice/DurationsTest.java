package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @Test
    void readsEachUnit() throws ConfigException {
        assertEquals(Duration.ofMillis(500), Durations.parse("k", "500ms"));
        assertEquals(Duration.ofSeconds(10), Durations.parse("k", "10s"));
        assertEquals(Duration.ofMinutes(2), Durations.parse("k", "2m"));
        assertEquals(Duration.ofHours(1), Durations.parse("k", "1h"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("k", "90s"), "no normalisation needed");
        assertEquals(Duration.ofSeconds(10), Durations.parse("k", "PT10S"), "ISO-8601, Lockstep's one syntax");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "s", "10 s", " 10s", "1.5s", "-1s", "+1s", "10S", "10sec", "PT-10S", "1d", "1h30m",
        "ten seconds", "10ms5"})
    void refusesEverythingElseNamingTheKeyAndTheForms(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> Durations.parse("scan.interval", text));
        assertEquals("scan.interval", e.key());
        assertTrue(e.getMessage().startsWith("scan.interval = '" + text + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("500ms, 10s, 2m, 1h"), e.getMessage());
    }

    @Test
    void refusesZero() {
        ConfigException e = assertThrows(ConfigException.class, () -> Durations.parse("retry.max.delay", "0s"));
        assertTrue(e.getMessage().contains("longer than zero"), e.getMessage());
    }

    @Test
    void refusesWhatOverflowsMilliseconds() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Durations.parse("scan.interval", "999999999999999999h"));
        assertTrue(e.getMessage().contains("too long"), e.getMessage());
    }

    @Test
    void formatsInTheSameSyntax() throws ConfigException {
        for (String s : new String[] {"500ms", "1500ms", "10s", "2m", "90s", "1h", "25h"}) {
            assertEquals(s, Durations.format(Durations.parse("k", s)));
        }
        assertEquals("2m", Durations.format(Duration.ofSeconds(120)));
    }
}
