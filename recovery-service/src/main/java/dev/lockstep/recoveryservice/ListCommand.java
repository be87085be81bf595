package dev.lockstep.recoveryservice;

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
                + "daemon. Exit 0, or 3 if a log cannot be used."})
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
        return report.logProblems().isEmpty() ? ExitCodes.OK : ExitCodes.LOG_UNUSABLE;
    }
}
