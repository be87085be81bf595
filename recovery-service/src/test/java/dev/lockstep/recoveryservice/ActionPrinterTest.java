package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.RecoveryAction.Kind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActionPrinterTest {

    private static final Instant T = Instant.parse("2026-11-21T10:00:00.123Z");
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final EventLog events = new EventLog(new PrintWriter(out), new PrintWriter(err),
            Clock.fixed(T, ZoneOffset.UTC));

    private static RecoveryAction action(Kind kind, boolean ok, String detail) {
        return new RecoveryAction(T, kind, ok, "orders-1", "0108", "00000001", "pg", detail);
    }

    @Test
    void anActionIsOneLogfmtLineInTheContractsShape() {
        new ActionPrinter(events).onAction(action(Kind.COMMIT, true, "committed (decision COMMIT)"));
        assertEquals("ts=2026-11-21T10:00:00.123Z level=info event=commit ok=true node=orders-1 gtrid=0108 "
                + "bqual=00000001 resource=pg detail=\"committed (decision COMMIT)\"\n", out.toString().replace(
                System.lineSeparator(), "\n"));
    }

    @Test
    void failuresAreWarningsAndErrorsGoToStderr() {
        ActionPrinter p = new ActionPrinter(events);
        p.onAction(action(Kind.ROLLBACK, false, "XAER_RMFAIL"));
        p.onAction(action(Kind.ERROR, false, "corrupt"));
        assertTrue(out.toString().startsWith("ts=2026-11-21T10:00:00.123Z level=warn event=rollback ok=false"),
                out.toString());
        assertTrue(err.toString().startsWith("ts=2026-11-21T10:00:00.123Z level=error event=error ok=false"),
                err.toString());
    }

    @Test
    void actionsTheListenerMissedArePrintedOnceAfterwards() {
        ActionPrinter p = new ActionPrinter(events);
        RecoveryAction seen = action(Kind.COMMIT, true, "a");
        RecoveryAction missed = action(Kind.END, true, "b");
        p.onAction(seen);
        p.printMissed(List.of(seen, missed));
        assertEquals(2, out.toString().lines().count(), out.toString());
        assertTrue(out.toString().lines().skip(1).findFirst().orElseThrow().contains("event=end"));
        p.printMissed(List.of());
        assertEquals(2, out.toString().lines().count());
    }
}
