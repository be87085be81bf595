package dev.lockstep.recoveryservice;

import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.store.PostgresDecisionStore;
import dev.lockstep.tm.store.StoreRows;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code log dump}: every record of the logs, for an operator; read-only. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Print every record of every incarnation of the configured nodes (or of one node): file, "
                + "offset, type, gtrid (hex and node:incarnation:sequence), branches, times in ISO-8601, then the "
                + "torn tail if any. With decision.store.* the rows of the database store instead: each "
                + "incarnation's lease (holder, epoch, expiry), then its records by seq. Read-only (takes no lock "
                + "and no lease); works beside a running daemon or transaction manager. Exit 3 if a log is corrupt "
                + "(the message names file and offset) or the store cannot be read."})
final class LogDumpCommand extends ServiceCommand {

    @Option(names = "--node", paramLabel = "ID", description = "dump only this node (any node under log.directory, "
            + "or of the decision store)")
    String node;

    @Override
    public Integer call() throws ConfigException {
        ServiceConfig cfg = config();
        if (cfg.decisionStore() != null) {
            return dumpStore(cfg);
        }
        List<String> nodes = cfg.nodes();
        if (node != null) {
            try {
                nodes = List.of(LogLayout.checkNodeId(node));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--node", "--node: " + e.getMessage(), e);
            }
        }
        return report(new LogDump(out()).dump(cfg.logDirectory(), nodes));
    }

    /**
     * The store's rows, read in one read-only transaction: no lease is taken and nothing is written. A store that
     * cannot be read (unreachable, no schema) is reported as a log that cannot be: a {@code log_unusable} line, exit 3.
     */
    private Integer dumpStore(ServiceConfig cfg) throws ConfigException {
        ServiceConfig.StoreConfig sc = cfg.decisionStore();
        List<String> requested = node != null ? List.of(node) : cfg.allNodes() ? null : cfg.nodes();
        PostgresDecisionStore store = decisionStore(sc);
        String location = "PostgreSQL schema '" + sc.schema() + "' at " + sc.url().replaceFirst("[?].*", "");
        try {
            List<StoreRows.StoredNode> rows;
            try {
                rows = StoreRows.read(store, requested);
            } catch (IllegalStateException e) {
                out().println("store " + location);
                out().println("  cannot be read: " + e.getMessage());
                out().flush();
                return report(List.of(new LogDump.DumpProblem(node, null, null, null, e.getMessage())));
            }
            return report(new LogDump(out()).dumpStore(location, rows, requested));
        } finally {
            if (store.dataSource() instanceof AutoCloseable pool) {
                try {
                    pool.close();
                } catch (Exception ignored) {
                    // the process ends with the command; nothing was written through the pool
                }
            }
        }
    }

    private Integer report(List<LogDump.DumpProblem> problems) {
        EventLog events = events();
        for (LogDump.DumpProblem p : problems) {
            events.error("log_unusable").add("node", p.nodeId())
                    .add("incarnation", p.incarnation() == null ? null : Long.toUnsignedString(p.incarnation()))
                    .add("file", p.file()).add("offset", p.offset()).add("detail", p.message()).print();
        }
        return problems.isEmpty() ? ExitCodes.OK : ExitCodes.LOG_UNUSABLE;
    }
}
