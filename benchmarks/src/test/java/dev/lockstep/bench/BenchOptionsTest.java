package dev.lockstep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.bench.real.RealAdapter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void singleOptionsOverrideTheSetWhateverTheirOrder() {
        BenchOptions o = BenchOptions.parse(new String[] {"--repeats=2", "--quick", "--threads=1,8"});
        assertEquals("quick", o.set);
        assertEquals(2, o.repeats);
        assertEquals(List.of(1, 8), o.threads);
        assertEquals(Duration.ofMillis(500), o.window);
    }

    @Test
    void theRealWindowFollowsTheWindowUnlessGiven() {
        assertEquals(Duration.ofSeconds(5), BenchOptions.parse(new String[] {"--window=5s"}).realWindow);
        assertEquals(Duration.ofSeconds(1),
                BenchOptions.parse(new String[] {"--real-window=1s", "--window=5s"}).realWindow);
    }

    @Test
    void theStandardSetRunsEverything() {
        BenchOptions o = BenchOptions.parse(new String[0]);
        assertEquals(3, o.repeats);
        assertEquals(List.of(1, 4, 16, 64), o.threads);
        assertEquals(List.of(1, 4, 16), o.realThreads);
        assertTrue(o.real && o.micro);
        assertFalse(o.jvmPerAdapter);
    }

    @Test
    void theRealAdaptersCanBeChosen() {
        assertEquals(List.of(RealAdapter.values()), BenchOptions.parse(new String[0]).realAdapters);
        BenchOptions o = BenchOptions.parse(new String[] {"--no-micro", "--real-adapters=floor,floor-parallel,"
                + "lockstep-raw,narayana-raw,atomikos-raw,lockstep,narayana", "--real-threads=1,4,16"});
        assertFalse(o.micro);
        assertEquals(List.of(RealAdapter.FLOOR, RealAdapter.FLOOR_PARALLEL, RealAdapter.LOCKSTEP_RAW,
                RealAdapter.NARAYANA_RAW, RealAdapter.ATOMIKOS_RAW, RealAdapter.LOCKSTEP, RealAdapter.NARAYANA),
                o.realAdapters);
        assertTrue(o.runs(RealAdapter.FLOOR));
        assertFalse(o.runs(RealAdapter.BRANCHES));
        assertFalse(BenchOptions.parse(new String[] {"--no-real", "--real-adapters=floor"}).runs(RealAdapter.FLOOR));
        assertEquals("real-lockstep-raw", RealAdapter.LOCKSTEP_RAW.cell());
    }

    @Test
    void badInputNamesTheOptionAndTheFix() {
        assertEquals("--window=2 is not a duration from 100ms to 10 minutes (write e.g. 500ms, 2s or 1.5s)",
                message("--window=2"));
        assertEquals("--repeats=0 is not a whole number from 1 to 100", message("--repeats=0"));
        assertTrue(message("--adapters=lockstep,jotm").startsWith("--adapters: unknown adapter 'jotm': use one of "
                + "lockstep,lockstep-sequential,lockstep-metrics,lockstep-meters,narayana-file,"),
                message("--adapters=lockstep,jotm"));
        assertTrue(message("--adapters=jotm").endsWith(",lockstep-pgstore,narayana-jdbcstore,ceiling-pg-row"),
                message("--adapters=jotm"));
        assertEquals("unknown option --thread=; see --help", message("--thread=4"));
        assertEquals("--real-threads: at most 64 threads (one table row each), got 100",
                message("--real-threads=100"));
        assertTrue(message("fast").startsWith("unknown argument 'fast'"));
        assertEquals("--real-adapters: unknown real adapter 'jotm': use one of floor,floor-parallel,lockstep-raw,"
                + "narayana-raw,atomikos-raw,lockstep,narayana,branches", message("--real-adapters=floor,jotm"));
    }

    private static String message(String arg) {
        return assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(new String[] {arg}))
                .getMessage();
    }
}
