package dev.lockstep.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lockstep.tm.spi.CrashPoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM halts at a crash point during its first two-phase commit; the reopened log must report the decision
 * exactly when the COMMIT record had been forced (C4, C5, C6) and not when it had not (C1, C2, C3, and C7 where
 * the halt tears the record: the torn tail is ignored, never reported as corruption).
 */
class CrashPointTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(CrashPoint.class)
    void theReopenedLogReportsADecisionExactlyWhenItWasForced(CrashPoint point) throws Exception {
        Path out = dir.resolve("child.out");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(),
                dir.resolve("log").toString(), point.name())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("child did not finish: " + Files.readString(out));
        }
        assertEquals(CrashChild.HALTED, child.exitValue(), "child did not halt at " + point + ": "
                + Files.readString(out));

        boolean decided = switch (point) {
            case C4_DECISION_FORCED, C5_SOME_COMMITTED, C6_ALL_COMMITTED -> true;
            default -> false;
        };
        try (Lockstep ls = Lockstep.builder().nodeId("crash").logDirectory(dir.resolve("log")).build()) {
            assertEquals(decided ? 1 : 0, ls.pendingDecisionsAtStart().size(),
                    point + ": " + ls.pendingDecisionsAtStart());
            assertEquals(2, ls.incarnation());
        }
    }
}
