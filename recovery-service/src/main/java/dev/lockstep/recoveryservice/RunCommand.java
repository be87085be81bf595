package dev.lockstep.recoveryservice;

import dev.lockstep.tm.recovery.Recovery;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.RecoveryScanner;
import dev.lockstep.tm.recovery.ScanReport;
import dev.lockstep.tm.recovery.Verdict;
import dev.lockstep.tm.spi.RecoverableResource;
import dev.lockstep.tm.recovery.RecoveryListener;
import java.io.IOException;
import java.util.ArrayList;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;

/**
 * {@code run}: the daemon. Takes the nodes' recovery locks at start (exit 4 if another recovery holds one), scans
 * every {@code scan.interval} on one thread until SIGTERM or SIGINT, then stops gracefully: no new scan, the one in
 * progress finishes (up to {@link #STOP_TIMEOUT}), the locks are released, exit 0.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the recovery daemon: a scan every scan.interval until SIGTERM or SIGINT, then finish "
                + "the scan in progress, release the locks and exit 0. Prints every action and one summary line per "
                + "scan as logfmt on stdout, errors on stderr. With http.port set, also serves GET /health, "
                + "GET /api/in-doubt, GET /api/events, GET /metrics, POST /api/resolve and the web console at / "
                + "(docs/recovery-service.md, docs/operations.md). Exit 4 at start if another "
                + "recovery holds a node."})
final class RunCommand extends ServiceCommand {

    /** How long a stop waits for the scan in progress; past it the process exits and the OS frees the locks. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public Integer call() throws ConfigException, InterruptedException {
        ServiceConfig cfg = config();
        List<RecoverableResource> resources = cfg.createResources();
        EventLog events = events();
        ActionPrinter printer = new ActionPrinter(events);
        // With the HTTP side, the recovery is also heard by the meters of /metrics and the feed of /api/events.
        HttpSettings.HttpConfig httpCfg = cfg.http().orElse(null);
        ServiceMetrics metrics = httpCfg == null ? null : new ServiceMetrics();
        EventHub hub = httpCfg == null ? null : new EventHub(httpCfg.events());
        List<RecoveryListener> heard = new ArrayList<>(List.of(printer));
        if (httpCfg != null) {
            heard.add(metrics.listener());
            heard.add(new RecoveryFeed(hub));
        }
        DaemonListeners listeners = new DaemonListeners(heard);
        Recovery recovery = openRecovery(cfg, resources, listeners, false);
        RecoveryScanner scanner;
        ScanTask task;
        AdminServer http = null;
        try {
            events.info("started").add("nodes", cfg.allNodes() ? ServiceConfig.ALL_NODES : join(cfg.nodes()))
                    .add("resources", join(resources.stream().map(RecoverableResource::name).toList()))
                    .add("log_directory", cfg.logDirectory())
                    .add("decision_store", cfg.decisionStore() == null ? null
                            : cfg.decisionStore().url().replaceFirst("[?].*", ""))
                    .add("scan_interval", Durations.format(cfg.scanInterval()))
                    .add("pid", ProcessHandle.current().pid()).print();
            task = new ScanTask(printer, events, new ScanState(root().clock().instant(), cfg.scanInterval(), null,
                    null, null), root().clock());
            scanner = RecoveryScanner.holding(recovery, cfg.scanInterval(), task);
            if (httpCfg != null) {
                http = startHttp(httpCfg, new RecoveryDaemonView(recovery, listeners, task), events, metrics, hub);
            }
            root().stopSignal().arm();
            scanner.start();
        } catch (IOException | RuntimeException e) {
            if (http != null) {
                hub.close();
                http.close();
            }
            recovery.close();
            if (e instanceof IOException io) {
                throw new ConfigException(HttpSettings.PORT, io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
        try {
            root().stopSignal().awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stop as if signalled
        }
        events.info("stopping").add("detail", "waiting for the scan in progress").print();
        if (http != null) {
            hub.close(); // the event streams are closed (their clients see the end of the stream) and refused
            http.close(); // no resolve may start once the stop began
        }
        boolean idle = scanner.stop(STOP_TIMEOUT);
        if (!idle) {
            // Recovery is not thread-safe: closing it under a running scan could release a log mid-write. Exiting
            // frees the OS locks, and every step of a scan is safe to repeat (docs/design.md invariant 6).
            events.error("stop_timeout").add("detail", "the scan in progress did not finish within "
                    + Durations.format(STOP_TIMEOUT) + "; exiting without it, the locks are released with the "
                    + "process").add("scans", task.scans()).print();
            return ExitCodes.IN_DOUBT;
        }
        recovery.close();
        events.info("stopped").add("scans", task.scans()).print();
        return ExitCodes.OK;
    }

    /**
     * Starts the HTTP side over the daemon and prints where it listens. The routes are here: one line per endpoint.
     */
    private AdminServer startHttp(HttpSettings.HttpConfig cfg, DaemonView daemon, EventLog events,
            ServiceMetrics metrics, EventHub hub) throws IOException {
        AdminServer.Routes routes = new AdminServer.Routes()
                .get("/health", new HealthEndpoint(daemon, root().clock(), cfg.inDoubtAgeLimit()))
                .get("/metrics", new MetricsEndpoint(metrics))
                .get("/api/in-doubt", new InDoubtEndpoint(daemon, hub::lastId))
                .stream("/api/events", new EventsEndpoint(hub, cfg.events().clients()))
                .post("/api/resolve", new ResolveEndpoint(daemon, events));
        ConsoleEndpoint.all().forEach(routes::get); // the web console: /, /console/...
        AdminServer server = AdminServer.start(cfg, routes, events);
        events.info("http_started").add("address", server.address().getAddress().getHostAddress())
                .add("port", server.address().getPort()).add("endpoints", String.join(",", server.paths()))
                .add("resolve", cfg.token() == null ? "disabled (no token configured)" : "enabled, token from "
                        + cfg.tokenSource()).print();
        return server;
    }

    /** The daemon's own recovery, seen by the HTTP side; {@link Recovery}'s calls run one at a time. */
    private record RecoveryDaemonView(Recovery recovery, DaemonListeners listeners, ScanTask task)
            implements DaemonView {

        @Override
        public ScanReport inspect() {
            return listeners.quietly(recovery::inspect);
        }

        @Override
        public List<RecoveryAction> resolve(String gtridHex, Verdict verdict) {
            return recovery.resolve(gtridHex, verdict);
        }

        @Override
        public ScanState scans() {
            return task.state();
        }
    }

    /** The lines of each scan of the daemon: the actions, what is open when it changed, a summary. */
    static final class ScanTask implements RecoveryScanner.Listener {
        private final ActionPrinter printer;
        private final EventLog events;
        private final ReportPrinter reports;
        private final AtomicLong scans = new AtomicLong();
        private final Clock clock;
        private volatile ScanState state;
        private String lastDetails = "";
        private String lastFailure;

        ScanTask(ActionPrinter printer, EventLog events, ScanState initial, Clock clock) {
            this.printer = printer;
            this.events = events;
            this.reports = new ReportPrinter(events);
            this.state = initial;
            this.clock = clock;
        }

        /** How the scans went so far, for {@code /health}. */
        ScanState state() {
            return state;
        }

        @Override
        public void scanned(ScanReport report) {
            scans.incrementAndGet();
            state = state.scanned(report, clock.instant());
            lastFailure = null;
            printer.printMissed(report.actions());
            // What is open is printed when it changes, not every few seconds while an operator looks at it.
            String details = ReportPrinter.fingerprint(report);
            if (!details.equals(lastDetails)) {
                reports.details(report);
                lastDetails = details;
            }
            reports.summary(report);
        }

        /** A scan threw (it should not: problems are in its report); the schedule goes on. */
        @Override
        public void failed(Throwable e) {
            scans.incrementAndGet(); // counted as a scan that ran, as before the scanner was shared
            events.error("scan_failed").add("error", e.toString()).print();
            String failure = String.valueOf(e);
            state = state.failed(failure);
            if (!Objects.equals(failure, lastFailure)) {
                events.stackTrace(e); // once per distinct failure
            }
            lastFailure = failure;
        }

        long scans() {
            return scans.get();
        }
    }
}
