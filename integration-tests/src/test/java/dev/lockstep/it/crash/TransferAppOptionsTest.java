package dev.lockstep.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.demo.transfer.Endpoints;
import dev.lockstep.demo.transfer.TransferApp;
import dev.lockstep.tm.spi.CrashPoint;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The TransferApp's command line: what the parent writes is what the child reads. No servers. */
class TransferAppOptionsTest {

    private static final Endpoints HARNESS = new Endpoints("jdbc:postgresql://h:1/db", "jdbc:mysql://h:2/db",
            "tcp://h:3");

    @Test
    void aPausingLoadRunAndItsLoginsSurviveTheCommandLine() {
        Endpoints given = new Endpoints(HARNESS.pgUrl(), HARNESS.mariaUrl(), HARNESS.brokerUrl(),
                new Endpoints.Login("pg-u", "pg-p"), new Endpoints.Login("my-u", "my-p"),
                new Endpoints.Login("mq-u", "mq-p"));
        TransferApp.Options o = TransferApp.Options.load("n1", Path.of("/tmp/log"), given, 3, 0)
                .pausingAt(CrashPoint.C5_SOME_COMMITTED, 42);

        TransferApp.Options back = TransferApp.Options.parse(o.toArgs().toArray(String[]::new));

        assertEquals(o, back);
        assertEquals(CrashPoint.C5_SOME_COMMITTED, back.pauseAt());
        assertEquals(42, back.pauseAfter());
        assertEquals(new Endpoints.Login("mq-u", "mq-p"), back.endpoints().brokerLogin());
    }

    @Test
    void theHarnessLoginsStayOffTheCommandLine() {
        TransferApp.Options o = TransferApp.Options.crash("n2", Path.of("/tmp/log"), HARNESS,
                CrashPoint.C4_DECISION_FORCED, 1);
        assertFalse(String.join(" ", o.toArgs()).contains("-user="), o.toArgs().toString());
        assertFalse(String.join(" ", o.toArgs()).contains("pause-"), o.toArgs().toString());
        assertEquals(o, TransferApp.Options.parse(o.toArgs().toArray(String[]::new)));
    }

    @Test
    void pausingIsForLoadMode() {
        TransferApp.Options crash = TransferApp.Options.crash("n3", Path.of("/tmp/log"), HARNESS,
                CrashPoint.C5_SOME_COMMITTED, 1);
        var e = assertThrows(IllegalStateException.class, () -> crash.pausingAt(CrashPoint.C5_SOME_COMMITTED, 1));
        assertTrue(e.getMessage().contains("load mode"), e.getMessage());
    }

    @Test
    void aRestartedNodeRecoversInProcessOnlyWithTheStore() {
        TransferApp.Options recover = TransferApp.Options.recover("n4", Path.of("/tmp/log"), HARNESS);
        var e = assertThrows(IllegalArgumentException.class,
                () -> TransferApp.Options.parse(recover.toArgs().toArray(String[]::new)));
        assertTrue(e.getMessage().contains("--store-schema"), e.getMessage());

        TransferApp.Options inStore = recover.inStore("crash_1", Duration.ofSeconds(2), Duration.ofMillis(500));
        TransferApp.Options back = TransferApp.Options.parse(inStore.toArgs().toArray(String[]::new));
        assertEquals(inStore, back);
        assertEquals(TransferApp.Mode.RECOVER, back.mode());
        assertEquals(2_000, back.leaseMillis());
    }

    @Test
    void aLoginIsNeverPrinted() {
        assertFalse(new Endpoints.Login("u", "secret").toString().contains("secret"));
    }
}
