package dev.lockstep.it.jndi;

import static dev.lockstep.it.servers.DatabaseBranches.mariadb;
import static dev.lockstep.it.servers.DatabaseBranches.mariadbLong;
import static dev.lockstep.it.servers.DatabaseBranches.postgres;
import static dev.lockstep.it.servers.DatabaseBranches.postgresLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.it.servers.DatabaseBranches;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.LockstepInstances;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Embedded Tomcat with naming enabled reads a web application's META-INF/context.xml that declares Lockstep the way
 * the README shows: {@code <Transaction>} binds java:comp/UserTransaction, {@code <Resource>}s bind the
 * TransactionManager, the TSR and the Lockstep itself, all from LockstepObjectFactory. A servlet looks them up and
 * commits or rolls back across PostgreSQL and MariaDB; plain JDBC checks the outcome.
 */
class TomcatJndiTest {

    private static final String NODE = "it-tomcat";
    private static Tomcat tomcat;
    private static HttpClient http;
    private static int port;
    private static Path base;

    @BeforeAll
    static void start() throws Exception {
        postgres("CREATE TABLE IF NOT EXISTS tomcat_orders (id VARCHAR(64) PRIMARY KEY, amount INT NOT NULL)");
        mariadb("CREATE TABLE IF NOT EXISTS tomcat_billing (id VARCHAR(64) PRIMARY KEY, amount INT NOT NULL)"
                + " ENGINE=InnoDB");
        base = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tomcat-");
        Path logDir = Files.createDirectories(base.resolve("lockstep-log"));
        Path webapp = Files.createDirectories(base.resolve("webapp/META-INF"));
        Files.writeString(webapp.resolve("context.xml"), contextXml(logDir));

        tomcat = new Tomcat();
        tomcat.setBaseDir(base.resolve("tomcat").toString());
        tomcat.setPort(0);
        tomcat.getConnector();
        tomcat.enableNaming();
        tomcat.setAddDefaultWebXmlToWebapp(false); // no JSP servlet: tomcat-embed-core has no Jasper
        Context app = tomcat.addWebapp("", base.resolve("webapp").toString()); // reads META-INF/context.xml
        ((StandardJarScanner) app.getJarScanner()).setScanClassPath(false); // the test class path has no web jars
        Tomcat.addServlet(app, "transfer", new TransferServlet(Servers.postgres().jdbcUrl(),
                Servers.mariadb().jdbcUrl())).setLoadOnStartup(1);
        app.addServletMappingDecoded("/transfer", "transfer");

        // A second application whose context.xml misspells an attribute: its lookup must say which and what to do.
        Path bad = Files.createDirectories(base.resolve("bad/META-INF"));
        Files.writeString(bad.resolve("context.xml"), "<Context>\n  <Transaction factory=\""
                + "dev.lockstep.tm.jndi.LockstepObjectFactory\" nodeId=\"it-tomcat-bad\" logDir=\"" + logDir
                + "\"/>\n</Context>\n");
        Context badApp = tomcat.addWebapp("/bad", base.resolve("bad").toString());
        ((StandardJarScanner) badApp.getJarScanner()).setScanClassPath(false);
        Tomcat.addServlet(badApp, "lookup", new LookupServlet());
        badApp.addServletMappingDecoded("/lookup", "lookup");
        tomcat.start();
        port = tomcat.getConnector().getLocalPort();
        http = HttpClient.newHttpClient();
    }

    /** The context.xml of README's "JNDI (Tomcat)" section, with this test's log directory. */
    private static String contextXml(Path logDir) {
        String lockstep = "factory=\"dev.lockstep.tm.jndi.LockstepObjectFactory\"\n"
                + "            nodeId=\"" + NODE + "\" logDirectory=\"" + logDir + "\" defaultTimeout=\"30s\"";
        return "<Context>\n"
                + "  <Transaction " + lockstep + "/>\n"
                + "  <Resource name=\"TransactionManager\" type=\"jakarta.transaction.TransactionManager\"\n"
                + "            " + lockstep + "/>\n"
                + "  <Resource name=\"TransactionSynchronizationRegistry\"\n"
                + "            type=\"jakarta.transaction.TransactionSynchronizationRegistry\"\n"
                + "            " + lockstep + "/>\n"
                + "  <Resource name=\"lockstep\" type=\"dev.lockstep.tm.Lockstep\" closeMethod=\"close\"\n"
                + "            " + lockstep + "/>\n"
                + "</Context>\n";
    }

    @AfterAll
    static void stop() throws Exception {
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
        assertFalse(LockstepInstances.open().stream().anyMatch(l -> l.nodeId().equals(NODE)),
                "closeMethod=\"close\" on the Lockstep resource closes it when the web application stops");
    }

    @BeforeEach
    void clean() throws Exception {
        postgres("DELETE FROM tomcat_orders");
        mariadb("DELETE FROM tomcat_billing");
    }

    @AfterEach
    void nothingInDoubt() throws Exception {
        assertEquals(List.of(), DatabaseBranches.inDoubt(NODE));
    }

    private static String get(String id, String outcome) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/transfer?id=" + id + "&outcome=" + outcome)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private static final String SEEN = " tm-status=0 tsr-key=true same-tx=true one-lockstep=true node=" + NODE;

    @Test
    void aServletCommitsAcrossBothDatabasesWithTheUserTransactionFromJndi() throws Exception {
        assertEquals("committed" + SEEN, get("t1", "commit"));
        assertEquals(1, postgresLong("SELECT count(*) FROM tomcat_orders WHERE id = 't1'"));
        assertEquals(1, mariadbLong("SELECT count(*) FROM tomcat_billing WHERE id = 't1'"));
        Lockstep ls = LockstepInstances.select(NODE, "nodeId", "the test");
        assertTrue(ls.metrics().logForces() > 0, "two branches: a forced COMMIT decision");
    }

    @Test
    void aServletRollsBackAcrossBothDatabases() throws Exception {
        assertEquals("rolled-back" + SEEN, get("t2", "rollback"));
        assertEquals(0, postgresLong("SELECT count(*) FROM tomcat_orders WHERE id = 't2'"));
        assertEquals(0, mariadbLong("SELECT count(*) FROM tomcat_billing WHERE id = 't2'"));
    }

    @Test
    void aFailedStatementInMariaDbRollsBackPostgres() throws Exception {
        mariadb("INSERT INTO tomcat_billing VALUES ('dup', 1)");
        assertEquals("rolled-back-after-error" + SEEN, get("t3", "duplicate"));
        assertEquals(0, postgresLong("SELECT count(*) FROM tomcat_orders WHERE id = 't3'"));
        assertEquals(1, mariadbLong("SELECT amount FROM tomcat_billing WHERE id = 'dup'"));
    }

    @Test
    void aMisspeltAttributeInContextXmlFailsTheLookupNamingIt() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/bad/lookup")).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.body().contains("unknown attribute 'logDir': Lockstep's attributes are [decisionStoreCreateSchema, "
                + "decisionStoreDataSource, decisionStoreLease, decisionStoreSchema, defaultTimeout"), r.body());
        assertFalse(LockstepInstances.open().stream().anyMatch(l -> l.nodeId().equals("it-tomcat-bad")));
    }

    /** Looks up java:comp/UserTransaction and answers with the messages of the failure, if any. */
    static final class LookupServlet extends jakarta.servlet.http.HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(jakarta.servlet.http.HttpServletRequest req,
                jakarta.servlet.http.HttpServletResponse resp) throws java.io.IOException {
            StringBuilder out = new StringBuilder();
            try {
                out.append("found ").append(new javax.naming.InitialContext().lookup("java:comp/UserTransaction"));
            } catch (javax.naming.NamingException e) {
                for (Throwable t = e; t != null; t = t.getCause()) {
                    out.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
                }
            }
            resp.getWriter().print(out);
        }
    }

    @Test
    void everyLookupOfTheNodeGivesTheSameLockstep() throws Exception {
        get("t4", "commit");
        get("t5", "commit");
        assertEquals(1, LockstepInstances.open().stream().filter(l -> l.nodeId().equals(NODE)).count(),
                "the <Transaction> and the three <Resource>s share one Lockstep");
        assertEquals(2, postgresLong("SELECT count(*) FROM tomcat_orders"));
    }
}
