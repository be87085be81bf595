package dev.lockstep.recoveryservice;

import dev.lockstep.tm.recovery.LogFinding;
import dev.lockstep.tm.recovery.Recovery;
import dev.lockstep.tm.recovery.RecoveryListener;
import dev.lockstep.tm.recovery.ScanReport;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code list}: what is in doubt right now, read-only ({@link Recovery#inspect()} on a read-only recovery: no lock,
 * no phase-two call), so it works beside a running daemon.
 */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"Show the transactions in doubt (branches, decisions, heuristics, what each waits for) and "
                + "how each resource answered. Read-only: takes no lock, changes nothing, works beside a running "
                + "daemon. Exit 0, or 3 if a log cannot be used or a configured node has no log at all (as 'log "
                + "dump')."})
final class ListCommand extends ServiceCommand {

    @Option(names = "--json", description = "print JSON instead of a table (stdout holds only the JSON document)")
    boolean json;

    @Override
    public Integer call() throws ConfigException {
        ServiceConfig cfg = config();
        ScanReport report;
        // No listener: stdout carries the listing only (inspect acts on nothing anyway).
        try (Recovery recovery = openRecovery(cfg, cfg.createResources(), RecoveryListener.NONE, true)) {
            report = recovery.inspect();
        }
        PrintWriter out = out();
        if (json) {
            out.println(InDoubtListing.json(report));
            out.flush();
        } else {
            InDoubtListing.table(report, out);
        }
        EventLog events = events();
        report.logProblems().forEach(p -> events.error("log_problem").add("detail", p).print());
        // A node without any log is no problem for a scan (it may not have started yet), but whoever lists it most
        // likely mistyped log.directory or the node: the same line and exit code as 'log dump'.
        for (LogFinding f : report.logFindings()) {
            if (f.kind() == LogFinding.FindingKind.NO_LOG) {
                events.error("log_unusable").add("node", f.nodeId()).add("detail", f.detail()).print();
            }
        }
        boolean usable = report.logProblems().isEmpty() && report.nodesWithoutLog().isEmpty();
        return usable ? ExitCodes.OK : ExitCodes.LOG_UNUSABLE;
    }
}
