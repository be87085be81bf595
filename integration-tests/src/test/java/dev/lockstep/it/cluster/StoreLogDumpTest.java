package dev.lockstep.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.demo.transfer.Endpoints;
import dev.lockstep.demo.transfer.RecoveryServiceProcess;
import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.spi.CrashPoint;
import dev.lockstep.tm.store.PostgresDecisionStore;
import io.agroal.api.AgroalDataSource;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The recovery service's {@code log dump} of the database decision store (docs/recovery-service.md), run as the
 * service's jar against the private PostgreSQL.
 *
 * <p>Scenario: a node holds a transaction at C4 (its COMMIT row written, phase two not begun), and its lease is made
 * to expire. Expected: the dump shows the node, its incarnation's lease (holder, epoch 1, expired) and the COMMIT row
 * decoded as the file log's records are, and exits 0; being read-only, it leaves the expired lease untaken (epoch
 * still 1) where a scan would take it. A schema that does not exist is reported (exit 3) and not created.
 */
class StoreLogDumpTest {

    private static final String SCHEMA = "ls_dump";

    @Test
    void theDumpShowsLeasesAndDecodedRowsAndWritesNothing() throws Exception {
        PostgresServer pg = Servers.postgres();
        RecoveryServiceProcess.jar();
        try (AgroalDataSource plain = LockstepDataSources.decisionStore(pg.jdbcUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD, 3);
                AgroalDataSource plainB = LockstepDataSources.decisionStore(pg.jdbcUrl(PostgresServer.SECOND_DATABASE),
                        PostgresServer.USER, PostgresServer.PASSWORD, 1)) {
            exec(plain, "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE", "DROP SCHEMA IF EXISTS ls_dump_none CASCADE",
                    "DROP TABLE IF EXISTS dump_a", "CREATE TABLE dump_a (id text)");
            exec(plainB, "DROP TABLE IF EXISTS dump_b", "CREATE TABLE dump_b (id text)");
            CountDownLatch reached = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CrashPoint.Hook hold = p -> {
                if (p == CrashPoint.C4_DECISION_FORCED && reached.getCount() > 0) {
                    reached.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            try (Lockstep ls = Lockstep.builder().nodeId("dump-node").crashHook(hold).inProcessRecovery(false)
                    .decisionStore(PostgresDecisionStore.builder(plain).schema(SCHEMA).lease(Duration.ofMinutes(2))
                            .build()).build();
                    AgroalDataSource a = LockstepDataSources.postgresql(ls, "orders-pg", pg.jdbcUrl(),
                            PostgresServer.USER, PostgresServer.PASSWORD, 1);
                    AgroalDataSource b = LockstepDataSources.postgresql(ls, "audit-pg",
                            pg.jdbcUrl(PostgresServer.SECOND_DATABASE), PostgresServer.USER, PostgresServer.PASSWORD,
                            1)) {
                TransactionManager tm = ls.transactionManager();
                CompletableFuture<Void> held = CompletableFuture.runAsync(() -> {
                    try {
                        tm.begin();
                        try (Connection c = a.getConnection(); Statement s = c.createStatement()) {
                            s.execute("INSERT INTO dump_a VALUES ('d')");
                        }
                        try (Connection c = b.getConnection(); Statement s = c.createStatement()) {
                            s.execute("INSERT INTO dump_b VALUES ('d')");
                        }
                        tm.commit();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                try {
                    assertTrue(reached.await(30, TimeUnit.SECONDS), "the transaction reached C4");
                    exec(plain, "UPDATE " + SCHEMA + ".incarnation SET expires_at = clock_timestamp() - interval '1 s'");

                    RecoveryServiceProcess.Result r = service(pg, SCHEMA).run(Duration.ofSeconds(60), "log", "dump");
                    assertEquals(RecoveryServiceProcess.OK, r.exitCode(), r.describe());
                    String out = r.stdout();
                    assertTrue(out.startsWith("store PostgreSQL schema '" + SCHEMA + "' at " + pg.jdbcUrl() + "\n"
                            + "node dump-node\n"), out);
                    assertTrue(out.contains("  incarnation " + ls.incarnation() + " (") && out.contains(") lease "
                            + "holder=dump-node (pid " + ProcessHandle.current().pid() + " on "), out);
                    assertTrue(out.contains(" epoch=1 expires=") && out.contains(" (expired) started="), out);
                    Matcher commit = Pattern.compile("    seq \\d+ COMMIT gtrid=[0-9a-f]+ \\(dump-node:"
                            + ls.incarnation() + ":\\d+\\) begun=\\S+ timeout=\\d+s decided=\\S+ branches=\\[orders-pg/"
                            + "[0-9a-f]+, audit-pg/[0-9a-f]+\\]\n").matcher(out);
                    assertTrue(commit.find(), out);
                    assertTrue(out.contains("    1 records, 1 decisions open\n"), out);
                    assertEquals(1, queryLong(plain, "SELECT epoch FROM " + SCHEMA + ".incarnation WHERE id = "
                            + ls.incarnation()), "the dump took no lease, although it had expired");

                    RecoveryServiceProcess.Result one = service(pg, SCHEMA).run(Duration.ofSeconds(60), "log", "dump",
                            "--node", "another-node");
                    assertEquals(RecoveryServiceProcess.LOG_UNUSABLE, one.exitCode(), one.describe());
                    assertTrue(one.stdout().contains("node another-node\n  not in the store"), one.describe());
                } finally {
                    release.countDown();
                }
                held.get(60, TimeUnit.SECONDS);
            }
            RecoveryServiceProcess.Result none = service(pg, "ls_dump_none").run(Duration.ofSeconds(60), "log",
                    "dump");
            assertEquals(RecoveryServiceProcess.LOG_UNUSABLE, none.exitCode(), none.describe());
            assertTrue(none.stdout().contains("LKS-040") && none.stderr().contains("event=log_unusable"),
                    none.describe());
            assertEquals(0, queryLong(plain, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = "
                    + "'ls_dump_none'"), "the dump created no schema");
        }
    }

    /** The service configured with the store only: nodes = *, no log directory, no resource (a dump needs none). */
    private static RecoveryServiceProcess service(PostgresServer pg, String schema) {
        RecoveryServiceProcess s = new RecoveryServiceProcess(Path.of("target", "store-dump"), Path.of("target"),
                java.util.List.of("unused"), new Endpoints(pg.jdbcUrl(), "jdbc:mariadb://127.0.0.1:1/unused", null));
        for (String key : java.util.List.of("kind", "url", "user", "password")) {
            s.set("resource." + Endpoints.PG_RESOURCE + "." + key, null);
            s.set("resource." + Endpoints.MARIA_RESOURCE + "." + key, null);
        }
        return s.set("log.directory", null).set("nodes", "*").set("decision.store.url", pg.jdbcUrl())
                .set("decision.store.user", PostgresServer.USER).set("decision.store.password", PostgresServer.PASSWORD)
                .set("decision.store.schema", schema);
    }

    private static void exec(AgroalDataSource ds, String... sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static long queryLong(AgroalDataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
