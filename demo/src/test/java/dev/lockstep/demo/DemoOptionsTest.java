package dev.lockstep.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The demo's command line: what each option gives, and what a wrong one is told. */
class DemoOptionsTest {

    @Test
    void withoutConsoleTheServiceRunsOnceAfterTheKill() {
        assertEquals(0, DemoOptions.parse().consolePort());
    }

    @Test
    void consoleAloneTakesTheDefaultPortAndConsoleWithAValueTakesThatPort() {
        assertEquals(DemoOptions.DEFAULT_CONSOLE_PORT, DemoOptions.parse("--console").consolePort());
        assertEquals(9000, DemoOptions.parse("--threads=2", "--console=9000").consolePort());
    }

    @Test
    void aPortOutOfRangeOrNotANumberSaysWhatIsExpected() {
        for (String bad : new String[] {"--console=0", "--console=70000", "--console=web"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(bad));
            assertTrue(e.getMessage().contains(bad) && e.getMessage().contains("from 1 to 65535"), e.getMessage());
        }
    }

    @Test
    void theUsageNamesTheConsoleAndItsDefaultPort() {
        assertTrue(DemoOptions.USAGE.contains("--console[=PORT]")
                && DemoOptions.USAGE.contains("default " + DemoOptions.DEFAULT_CONSOLE_PORT), DemoOptions.USAGE);
    }
}
