package dev.lockstep.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.demo.transfer.Checker;
import dev.lockstep.demo.transfer.ChildJvm;
import dev.lockstep.demo.transfer.Endpoints;
import dev.lockstep.demo.transfer.RecoveryServiceProcess;
import dev.lockstep.demo.transfer.TransferTables;
import dev.lockstep.demo.transfer.Workload;
import dev.lockstep.tm.spi.LockstepXids;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.chromium.ChromiumDriverLogLevel;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The recovery service's web console in a real browser: the OS's headless Chromium, driven by Selenium through the
 * OS's chromedriver (both named by path, so Selenium Manager never downloads anything), over the harness' real
 * servers. In this package because it crashes apps in phase two as {@link ResourceCrashTest} does, with its app.
 *
 * <pre>
 * Scenario:
 *   apps        two PausedPhaseTwoApp (PostgreSQL, MariaDB, Artemis), nodes K and H, each paused at C4 (COMMIT
 *               forced, every branch prepared)
 *   heuristic   H's Artemis branch is rolled back by hand, then H's gate opens: its first commit answers
 *               XAER_NOTA within the lost-branch window, a heuristic; H records it, finishes the rest and exits
 *   daemon      lockstep-recovery-service.jar run for K and H, http.port = 0, a token file, scans every second,
 *               orphan.safety.interval 10m (so that it leaves K's decision to K while K lives)
 *   browser     opens http://127.0.0.1:PORT/ (snapshot, then /api/events?since=)
 *   expected    the page goes live and shows K's transfer in doubt (owner alive, its branches prepared) and H's
 *               heuristic; K is killed with SIGKILL: the service takes its log over and commits, and K's transfer
 *               leaves the page, pushed by the stream; the operator resolves H (commit) through the form with the
 *               token: 200, and H's transaction leaves the page; no error in the browser's console (a CSP
 *               violation would be one); the token is in no output of the daemon and not in the page; SIGTERM:
 *               exit 0; the Checker finds K's transfer committed everywhere
 *   screenshots integration-tests/target/console/*.png
 * </pre>
 */
class ConsoleBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration STEP = Duration.ofSeconds(60);
    /** How long the page may take to show what the service did: a scan every second, pushed at once. */
    private static final Duration PAGE = Duration.ofSeconds(30);
    private static final Pattern STARTED = Pattern.compile("event=http_started address=127\\.0\\.0\\.1 port=(\\d+)");
    private static final Path SHOTS = Path.of("target", "console").toAbsolutePath();
    private static final String DRIVER_LOG = "chromedriver.log";

    private final long t0 = System.nanoTime();
    private final List<String> timings = new ArrayList<>();
    private WebDriver driver;
    private RecoveryServiceProcess.Daemon daemon;

    @Test
    void anOperatorWatchesARecoveryAndResolvesAHeuristicInTheConsole() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), CHROMIUM + " and "
                + CHROMEDRIVER + " are needed: install the OS packages chromium and chromium-driver "
                + "(scripts/prerequisites.sh does)");
        Files.createDirectories(SHOTS);
        Files.deleteIfExists(SHOTS.resolve("failed.png")); // an earlier run's
        Files.deleteIfExists(SHOTS.resolve(DRIVER_LOG));
        Endpoints all = Endpoints.ofHarness(true);
        CrashRuns.cleanSlate(all);
        String k = CrashRuns.nodeId("console-k");
        String h = CrashRuns.nodeId("console-h");
        Path dir = CrashRuns.runDir(k);
        Path log = dir.resolve("log");
        TransferTables.openAccounts(all, k, Workload.ACCOUNTS, Workload.INITIAL);
        TransferTables.openAccounts(all, h, Workload.ACCOUNTS, Workload.INITIAL);
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        Path tokenFile = dir.resolve("http.token");
        Files.writeString(tokenFile, token + "\n");
        RecoveryServiceProcess service = new RecoveryServiceProcess(dir.resolve("service"), log, List.of(k, h), all)
                .set("http.port", "0").set("http.token.file", tokenFile.toString())
                // K stays alive until the page has shown it: the service must leave a live owner's decision to it.
                .set("orphan.safety.interval", "10m");

        // The browser, the apps and the daemon start side by side: each takes seconds of a busy machine's time.
        CompletableFuture<WebDriver> browser = CompletableFuture.supplyAsync(ConsoleBrowserTest::chromium);
        RecoveryServiceProcess.Result stopped;
        try (ChildJvm appK = ChildJvm.start(PausedPhaseTwoApp.class,
                PausedPhaseTwoApp.args(k, log, all, dir.resolve("gate-k"), 0), dir.resolve("app-k.out"));
             ChildJvm appH = ChildJvm.start(PausedPhaseTwoApp.class,
                PausedPhaseTwoApp.args(h, log, all, dir.resolve("gate-h"), 0), dir.resolve("app-h.out"));
             RecoveryServiceProcess.Daemon started = service.startDaemon()) {
            daemon = started;
            appH.awaitLine(PausedPhaseTwoApp.PAUSED, STEP);
            assertEquals(1, rollBackBrokerBranchOf(all, h), "H's Artemis branch, prepared at C4");
            Files.createFile(dir.resolve("gate-h"));
            String settled = appH.awaitLine(PausedPhaseTwoApp.SETTLED, STEP);
            assertTrue(settled.contains(" heuristic=1 "), "the lost Artemis branch is H's heuristic: " + settled
                    + "\n" + appH.tail());
            assertEquals(0, appH.awaitExit(STEP), appH.tail());
            appK.awaitLine(PausedPhaseTwoApp.PAUSED, STEP);
            mark("apps paused, H's heuristic recorded");
            String base = "http://127.0.0.1:" + port(daemon);
            driver = browser.get(STEP.toSeconds(), TimeUnit.SECONDS);
            mark("daemon listening, browser started");
            driver.get(base + "/");
            await("the page is live on the event stream", d -> "live".equals(
                    d.findElement(By.id("connection")).getAttribute("data-state")));
            // The page redraws a list when an event changes it: elements are looked up again in each wait.
            await("K's transfer in doubt, its owner alive, its three branches prepared", d -> txOf(d, k).stream()
                    .anyMatch(card -> card.getText().contains("owner alive")
                            && card.findElements(By.cssSelector("tr[data-state='prepared']")).size() == 3));
            String hGtrid = await("H's heuristic with a resolve button", d -> heuristicsOf(d, h).stream()
                    .map(tr -> tr.getAttribute("data-gtrid")).findFirst().orElse(null));
            shot("1-in-doubt");

            assertEquals(ChildJvm.SIGKILL_EXIT, appK.kill9(), "K dies by SIGKILL in phase two");
            await("K's transfer recovered by the service and gone from the page", d -> txOf(d, k).isEmpty());
            await("the feed shows the service's commits of K's branches", d -> d.findElements(
                    By.cssSelector("#feed li[data-kind='commit']")).size() >= 3);
            await("the scan chart has bars", d -> !d.findElements(By.cssSelector("#scan-chart rect.bar"))
                    .isEmpty());
            shot("2-recovered");

            await("the resolve button clicked", d -> {
                heuristicsOf(d, h).get(0).findElement(By.tagName("button")).click();
                return true;
            });
            assertEquals(hGtrid, driver.findElement(By.id("resolve-gtrid")).getAttribute("value"),
                    "the button fills the form with the transaction's gtrid");
            new Select(driver.findElement(By.id("resolve-verdict"))).selectByValue("commit");
            driver.findElement(By.id("resolve-token")).sendKeys(token);
            driver.findElement(By.id("resolve-submit")).click();
            await("the resolve answered", d -> !d.findElement(By.id("resolve-result")).getAttribute("data-ok")
                    .isEmpty());
            WebElement result = driver.findElement(By.id("resolve-result"));
            assertEquals("true", result.getAttribute("data-ok"), result.getText());
            assertTrue(result.getText().startsWith("200: commit done"), result.getText());
            await("H's transaction resolved and gone from the page", d -> txOf(d, h).isEmpty()
                    && heuristicsOf(d, h).isEmpty());
            shot("3-resolved");

            List<String> errors = new ArrayList<>();
            for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
                if (e.getLevel().intValue() >= Level.WARNING.intValue()) {
                    errors.add(e.getLevel() + " " + e.getMessage());
                }
            }
            assertEquals(List.of(), errors, "the browser's console: a blocked script or style (CSP) shows here");
            assertFalse(driver.getPageSource().contains(token), "the token is in no attribute or text");
            assertFalse(driver.getCurrentUrl().contains(token), driver.getCurrentUrl());
            stopped = daemon.stop(STEP);
        } finally {
            quitBrowser(browser);
        }
        assertEquals(RecoveryServiceProcess.OK, stopped.exitCode(), stopped.describe());
        assertFalse(stopped.stdout().contains(token) || stopped.stderr().contains(token),
                "the token in the daemon's output");
        assertFalse(Files.readString(SHOTS.resolve(DRIVER_LOG)).contains(token), "the token in " + DRIVER_LOG);
        assertTrue(stopped.stdout().contains("event=http_request method=POST path=/api/resolve status=200"),
                stopped.describe());
        Checker.Report report = Checker.forRun(all, k, true).check();
        assertTrue(report.ok(), report.toString());
        assertEquals(Checker.Outcome.COMMITTED, report.outcomeOf(PausedPhaseTwoApp.pausedId(k)), report.toString());
        mark("checked");
        System.out.println("[console] " + String.join("\n[console] ", timings));
    }

    /** The OS's Chromium, headless, through the OS's chromedriver: nothing is looked up or downloaded. */
    private static WebDriver chromium() {
        Path profile;
        try {
            profile = Files.createTempDirectory("lockstep-console-chromium");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1400", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                // At INFO chromedriver logs every command with its arguments, the typed token too.
                .withLogLevel(ChromiumDriverLogLevel.WARNING)
                .withLogFile(SHOTS.resolve(DRIVER_LOG).toFile()).build();
        return new ChromeDriver(service, options);
    }

    /** Quits the browser, also one that started after the test failed. */
    private void quitBrowser(CompletableFuture<WebDriver> browser) {
        browser.thenAccept(WebDriver::quit);
        driver = null;
    }

    /** The in-doubt card of {@code node}'s transaction, if the page shows one. */
    private static List<WebElement> txOf(WebDriver d, String node) {
        return d.findElements(By.cssSelector("#in-doubt article.tx[data-node='" + node + "']"));
    }

    /** The heuristics table's rows of {@code node}'s transaction (its gtrid names the node). */
    private static List<WebElement> heuristicsOf(WebDriver d, String node) {
        List<WebElement> rows = new ArrayList<>();
        for (WebElement tr : d.findElements(By.cssSelector("#heuristics tbody tr"))) {
            if (tr.getText().contains(node)) {
                rows.add(tr);
            }
        }
        return rows;
    }

    /** Waits for the page; on timeout, fails with what the page and the daemon show, and a screenshot. */
    private <T> T await(String what, Function<WebDriver, T> condition) throws IOException {
        try {
            return new WebDriverWait(driver, PAGE, Duration.ofMillis(100))
                    .ignoring(StaleElementReferenceException.class).ignoring(IndexOutOfBoundsException.class)
                    .until(condition::apply);
        } catch (TimeoutException e) {
            shot("failed");
            throw new AssertionError("the page never showed: " + what + " (within " + PAGE.toSeconds() + " s)\n"
                    + "--- page text ---\n" + driver.findElement(By.tagName("body")).getText()
                    + "\n--- daemon output ---\n" + daemon.stdout(), e);
        }
    }

    /** Notes how long the test took to get here; printed at the end, to keep an eye on the CI time it costs. */
    private void mark(String what) {
        timings.add(String.format("%6d ms  %s", (System.nanoTime() - t0) / 1_000_000, what));
    }

    private void shot(String name) throws IOException {
        mark("screenshot " + name);
        byte[] png = ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(SHOTS.resolve(name + ".png"), png);
    }

    /**
     * Rolls back, by hand, {@code node}'s prepared branches on the Artemis broker only; returns how many. Artemis,
     * because its commit of a branch it no longer knows answers XAER_NOTA, what the transaction manager counts as a
     * lost branch; PostgreSQL's driver answers XAER_RMERR, which is retried and then found finished.
     */
    private static int rollBackBrokerBranchOf(Endpoints all, String node) throws Exception {
        try (var f = new ActiveMQXAConnectionFactory(all.brokerUrl());
             var c = f.createXAConnection(all.brokerLogin().user(), all.brokerLogin().password())) {
            XAResource xa = c.createXASession().getXAResource();
            int n = 0;
            Xid[] xids = xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
            for (Xid x : xids == null ? new Xid[0] : xids) {
                if (x.getFormatId() == LockstepXids.FORMAT_ID && node.equals(LockstepXids.nodeIdOf(x))) {
                    xa.rollback(x);
                    n++;
                }
            }
            return n;
        }
    }

    private static int port(RecoveryServiceProcess.Daemon daemon) throws InterruptedException {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = STARTED.matcher(daemon.stdout());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            assertTrue(daemon.isAlive(), "the daemon died:\n" + daemon.stdout());
            Thread.sleep(50);
        }
        throw new AssertionError("no http_started line:\n" + daemon.stdout());
    }
}
