package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogfmtLogHandlerTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final LogfmtLogHandler handler = new LogfmtLogHandler(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aLibraryRecordBecomesOneLogfmtLine() {
        LogRecord r = new LogRecord(Level.WARNING, "LKS-203 closing {0} failed");
        r.setParameters(new Object[] {"the log"});
        r.setLoggerName("dev.lockstep.tm.recovery");
        r.setThrown(new java.io.IOException("disk gone"));
        handler.publish(r);
        String line = printed();
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.contains(" level=warn event=log logger=dev.lockstep.tm.recovery "
                + "detail=\"LKS-203 closing the log failed\" error=\"java.io.IOException: disk gone\""), line);
    }

    @Test
    void theEnginesOwnActionLinesAreLeftToTheListener() {
        handler.publish(new LogRecord(Level.INFO, "LKS-210 {0} {1} node={2}"));
        assertEquals("", printed());
    }

    @Test
    void belowInfoIsDropped() {
        handler.publish(new LogRecord(Level.FINE, "chatter"));
        assertEquals("", printed());
    }
}
