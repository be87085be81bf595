package dev.lockstep.recoveryservice;

import dev.lockstep.tm.recovery.Recovery;
import dev.lockstep.tm.recovery.ScanReport;
import dev.lockstep.tm.spi.RecoverableResource;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code scan}: one pass of recovery, then exit with what it left (0 clean, 1 in doubt, 3 a log unusable). */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"Run one recovery scan and exit: 0 if nothing is left in doubt, 1 if something is (waiting "
                + "branches, an unreachable resource, heuristics), 3 if a log cannot be used, 4 if another recovery "
                + "holds a node.",
            "Prints every action as a logfmt line on stdout, then what is left, then a summary."})
final class ScanCommand extends ServiceCommand {

    @Override
    public Integer call() throws ConfigException {
        ServiceConfig cfg = config();
        List<RecoverableResource> resources = cfg.createResources();
        EventLog events = events();
        ActionPrinter printer = new ActionPrinter(events);
        try (Recovery recovery = openRecovery(cfg, resources, printer, false)) {
            ScanReport report = recovery.scan();
            printer.printMissed(report.actions());
            ReportPrinter reports = new ReportPrinter(events);
            reports.details(report);
            reports.summary(report);
            if (!report.logProblems().isEmpty()) {
                return ExitCodes.LOG_UNUSABLE;
            }
            return report.clean() ? ExitCodes.OK : ExitCodes.IN_DOUBT;
        }
    }
}
