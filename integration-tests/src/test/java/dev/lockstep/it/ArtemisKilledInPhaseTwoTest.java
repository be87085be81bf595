package dev.lockstep.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.testkit.servers.ArtemisBroker;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.jms.LockstepConnectionFactory;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.spi.CrashPoint;
import io.agroal.api.AgroalDataSource;
import jakarta.jms.Message;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.transaction.UserTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;

/**
 * What an operator reads when the Artemis broker dies by {@code kill -9} during phase two (docs/xa-quirks.md,
 * "Artemis and pooled-jms: a broker killed in phase two").
 *
 * <pre>
 * Scenario:
 *   resources   orders-pg (an UPDATE) and events (LockstepConnectionFactory on the harness' Artemis broker, a send
 *               whose connection the application closes inside the transaction), one Lockstep
 *   fault       at C4 (COMMIT record forced, nothing committed) the broker is killed with kill -9 and the test waits
 *               1.5 s, so pooled-jms has seen the connection fail; phase two then runs: PostgreSQL commits, the
 *               Artemis commit fails and is retried in the background; afterCompletion reaches pooled-jms' session
 *               synchronization while the session's connection is gone
 *   expected    commit() returns normally; once the broker is back the retrier commits the message (delivered once,
 *               no heuristic); the log holds LKS-140 (retrying) and LKS-141 (committed on retry) and nothing else:
 *               no LKS-130 (a failed afterCompletion) and no stack trace
 * </pre>
 */
class ArtemisKilledInPhaseTwoTest {

    private static final Duration SETTLE = Duration.ofSeconds(25);

    @Test
    void aBrokerKilledInPhaseTwoLogsTheRetryAndNothingElse() throws Exception {
        ArtemisBroker broker = Servers.artemis();
        String url = broker.brokerUrl();
        String queue = "killed-" + UUID.randomUUID();
        LogCapture log = LogCapture.install();
        boolean[] armed = {false};
        CrashPoint.Hook killAtDecision = point -> {
            if (point == CrashPoint.C4_DECISION_FORCED && armed[0]) {
                armed[0] = false;
                broker.kill();
                sleep(1_500); // the client notices a dead connection within about 0.5 s (docs/xa-quirks.md)
            }
        };
        Path logDir = Files.createTempDirectory(Path.of("target"), "lockstep-log-").toAbsolutePath();
        try (Lockstep lockstep = Lockstep.builder().nodeId("it-artemis-killed").logDirectory(logDir)
                .crashHook(killAtDecision).retryInitialDelay(Duration.ofMillis(100))
                .retryMaxDelay(Duration.ofMillis(500)).build();
             AgroalDataSource pg = LockstepDataSources.postgresql(lockstep, "orders-pg", Servers.postgres().jdbcUrl(),
                     PostgresServer.USER, PostgresServer.PASSWORD, 2);
             LockstepConnectionFactory jms = LockstepConnectionFactory.artemis(lockstep, "events", url, null, null,
                     2)) {
            Resources.exec(pg, "CREATE TABLE IF NOT EXISTS killed_mq (id INT PRIMARY KEY, v INT)",
                    "DELETE FROM killed_mq", "INSERT INTO killed_mq VALUES (1, 0)");
            UserTransaction ut = lockstep.userTransaction();
            ut.begin();
            try (Connection c = pg.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE killed_mq SET v = v + 1 WHERE id = 1");
            }
            try (jakarta.jms.Connection c = jms.createConnection()) {
                Session s = c.createSession();
                s.createProducer(s.createQueue(queue)).send(s.createTextMessage("m1"));
            }
            armed[0] = true;
            ut.commit();
            assertEquals(1, Resources.queryLong(pg, "SELECT v FROM killed_mq WHERE id = 1"));

            broker.restart();
            long deadline = System.nanoTime() + SETTLE.toNanos();
            while (lockstep.metrics().pendingBranches() > 0) {
                if (System.nanoTime() > deadline) {
                    fail("the Artemis branch was not committed after the restart: " + lockstep.metrics());
                }
                Thread.sleep(50);
            }
            assertEquals(0, lockstep.metrics().heuristic());
            assertEquals(List.of("m1"), drain(url, queue));
        } finally {
            log.close();
        }
        List<String> lines = log.lines();
        assertTrue(log.records().stream().allMatch(r -> r.getThrown() == null), "no stack trace:\n" + lines);
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("WARNING dev.lockstep.tm.BranchRetrier: LKS-140 ")
                && lines.get(1).startsWith("INFO dev.lockstep.tm.BranchRetrier: LKS-141 "), String.join("\n", lines));
    }

    private static List<String> drain(String url, String queue) throws Exception {
        List<String> out = new ArrayList<>();
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(url);
             jakarta.jms.Connection c = f.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var consumer = s.createConsumer(s.createQueue(queue));
            Message m = consumer.receive(5_000);
            while (m != null) {
                out.add(((TextMessage) m).getText());
                m = consumer.receive(300);
            }
        }
        return out;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
