package dev.lockstep.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.demo.transfer.RecoveryServiceProcess;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's demo true: {@link Demo} runs in this JVM, on the harness' shared servers (which it must not
 * stop), with a short load, and must pass every check of its report. Its output goes to the test log as well.
 */
class DemoTest {

    @Test
    void theDemoKillsThePhaseTwoTransferAndRecoveryCommitsItEverywhere() throws Exception {
        RecoveryServiceProcess.jar(); // fail fast, with how to build it
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new Tee(captured, System.out), true, StandardCharsets.UTF_8);

        int exit = Demo.run(new String[] {"--transfers=100", "--threads=4"}, out, System.currentTimeMillis(), false,
                false);

        String text = captured.toString(StandardCharsets.UTF_8);
        assertEquals(Demo.PASSED, exit, text);
        for (String expected : List.of(
                "kill -9 \\d+ +\\(the application; exit 137 = 128 \\+ SIGKILL\\)",
                "<- the transfer in phase two",
                "\\n  transfers committed +\\d[\\d,]*, each in PostgreSQL, MariaDB and Artemis",
                "\\n  balances consistent +yes: ",
                "\\n  events delivered exactly once +yes: [\\d,]+ messages, 0 duplicates, 0 missing",
                "\\n  branches left in doubt +0\\n",
                "\\n  transfer in phase two +\\S+: committed everywhere",
                "\\nPASSED")) {
            assertTrue(Pattern.compile(expected).matcher(text).find(), "expected /" + expected + "/ in:\n" + text);
        }
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }
    }
}
