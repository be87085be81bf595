package dev.lockstep.recoveryservice;

import dev.lockstep.tm.log.LogLayout;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code log dump}: every record of the logs, for an operator; read-only. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Print every record of every incarnation of the configured nodes (or of one node): file, "
                + "offset, type, gtrid (hex and node:incarnation:sequence), branches, times in ISO-8601, then the "
                + "torn tail if any. Read-only; works beside a running daemon or transaction manager. Exit 3 if a "
                + "log is corrupt (the message names file and offset)."})
final class LogDumpCommand extends ServiceCommand {

    @Option(names = "--node", paramLabel = "ID", description = "dump only this node (any node under log.directory)")
    String node;

    @Override
    public Integer call() throws ConfigException {
        ServiceConfig cfg = config();
        if (cfg.decisionStore() != null && cfg.logDirectory() == null) {
            throw new ConfigException(ServiceConfig.DECISION_STORE_PREFIX + "url", "log dump reads the file log in "
                    + ServiceConfig.LOG_DIRECTORY + ", and this configuration keeps the decisions in the database "
                    + "store (" + cfg.decisionStore().url() + ", schema " + cfg.decisionStore().schema() + "): 'list' "
                    + "shows its open decisions decoded; the raw records are the rows of "
                    + cfg.decisionStore().schema() + ".decision (docs/cluster.md)");
        }
        List<String> nodes = cfg.nodes();
        if (node != null) {
            try {
                nodes = List.of(LogLayout.checkNodeId(node));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--node", "--node: " + e.getMessage(), e);
            }
        }
        List<LogDump.DumpProblem> problems = new LogDump(out()).dump(cfg.logDirectory(), nodes);
        EventLog events = events();
        for (LogDump.DumpProblem p : problems) {
            events.error("log_unusable").add("node", p.nodeId())
                    .add("incarnation", p.incarnation() == null ? null : Long.toUnsignedString(p.incarnation()))
                    .add("file", p.file()).add("offset", p.offset()).add("detail", p.message()).print();
        }
        return problems.isEmpty() ? ExitCodes.OK : ExitCodes.LOG_UNUSABLE;
    }
}
