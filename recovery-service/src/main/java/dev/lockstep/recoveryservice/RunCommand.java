package dev.lockstep.recoveryservice;

import dev.lockstep.tm.recovery.Recovery;
import dev.lockstep.tm.recovery.RecoveryScanner;
import dev.lockstep.tm.recovery.ScanReport;
import dev.lockstep.tm.spi.RecoverableResource;
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
                + "scan as logfmt on stdout, errors on stderr. Exit 4 at start if another recovery holds a node."})
final class RunCommand extends ServiceCommand {

    /** How long a stop waits for the scan in progress; past it the process exits and the OS frees the locks. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public Integer call() throws ConfigException, InterruptedException {
        ServiceConfig cfg = config();
        List<RecoverableResource> resources = cfg.createResources();
        EventLog events = events();
        ActionPrinter printer = new ActionPrinter(events);
        Recovery recovery = openRecovery(cfg, resources, printer, false);
        RecoveryScanner scanner;
        ScanTask task;
        try {
            events.info("started").add("nodes", join(cfg.nodes()))
                    .add("resources", join(resources.stream().map(RecoverableResource::name).toList()))
                    .add("log_directory", cfg.logDirectory()).add("scan_interval", Durations.format(cfg.scanInterval()))
                    .add("pid", ProcessHandle.current().pid()).print();
            task = new ScanTask(printer, events);
            scanner = RecoveryScanner.holding(recovery, cfg.scanInterval(), task);
            root().stopSignal().arm();
            scanner.start();
        } catch (RuntimeException e) {
            recovery.close();
            throw e;
        }
        try {
            root().stopSignal().awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stop as if signalled
        }
        events.info("stopping").add("detail", "waiting for the scan in progress").print();
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

    /** The lines of each scan of the daemon: the actions, what is open when it changed, a summary. */
    static final class ScanTask implements RecoveryScanner.Listener {
        private final ActionPrinter printer;
        private final EventLog events;
        private final ReportPrinter reports;
        private final AtomicLong scans = new AtomicLong();
        private String lastDetails = "";
        private String lastFailure;

        ScanTask(ActionPrinter printer, EventLog events) {
            this.printer = printer;
            this.events = events;
            this.reports = new ReportPrinter(events);
        }

        @Override
        public void scanned(ScanReport report) {
            scans.incrementAndGet();
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
