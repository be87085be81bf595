package dev.lockstep.recoveryservice;

import dev.lockstep.tm.spi.LockstepXids;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.CorruptLogException;
import dev.lockstep.tm.log.DecisionFold;
import dev.lockstep.tm.log.EndRecord;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogReader;
import dev.lockstep.tm.log.LogRecord;
import dev.lockstep.tm.log.MalformedRecordException;
import dev.lockstep.tm.log.RecordCodec;
import dev.lockstep.tm.log.ReplayResult;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.store.StoreRows;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * {@code log dump}: every intact record of every incarnation of some nodes, in log order, for an operator reading
 * what a log says. Reads only; safe beside a live transaction manager (whose latest write may show as a torn tail).
 *
 * <pre>
 * node orders-1 (/var/lib/lockstep/orders-1)
 *   incarnation 3 (0000000000000003)
 *     0000000000000003-00000001.seg @37 COMMIT gtrid=01086f72... (orders-1:3:17) begun=... timeout=60s
 *         decided=2026-11-21T10:00:00.123Z branches=[orders-db/00000001, events/00000002]
 *     0000000000000003-00000001.seg @138 END gtrid=01086f72... (orders-1:3:17)
 *     torn tail at 0000000000000003-00000001.seg @182: CRC mismatch (never acknowledged, ignored)
 *     2 records, 0 decisions open
 * </pre>
 * (a record is one line; it is wrapped here for width). The MARK frame that starts each batch (docs/log-format.md)
 * is not a record and is not shown: offsets jump over it.
 *
 * <p>With the database decision store ({@link #dumpStore}) the same lines come from the store's rows, decoded by the
 * same codec: each incarnation also shows its lease, and a record is placed by its {@code seq} (the store's write
 * order) instead of file and offset:
 * <pre>
 * store PostgreSQL schema 'lockstep' at jdbc:postgresql://db:5432/app
 * node orders-1
 *   incarnation 7 (0000000000000007) lease holder=orders-1 (pid 4242 on pod-a, 1764…) epoch=1
 *       expires=2026-11-21T10:00:15.000Z (held) started=2026-11-21T09:58:00.000Z
 *     seq 12 COMMIT gtrid=01086f72... (orders-1:7:17) begun=... timeout=60s decided=... branches=[...]
 *     1 records, 1 decisions open
 *   incarnations up to 7 without a row were retired (nothing of them was open)
 * </pre>
 */
final class LogDump {

    private final PrintWriter out;

    LogDump(PrintWriter out) {
        this.out = out;
    }

    /** A log that could not be read to its end; the dump of the other incarnations and nodes goes on. */
    record DumpProblem(String nodeId, Long incarnation, Path file, Long offset, String message) {
    }

    /** Dumps {@code nodes} under {@code logDirectory}; returns what could not be read (empty if all could). */
    List<DumpProblem> dump(Path logDirectory, List<String> nodes) {
        List<DumpProblem> problems = new ArrayList<>();
        for (String node : nodes) {
            Path dir = LogLayout.nodeDirectory(logDirectory, node);
            out.println("node " + node + " (" + dir + ")");
            if (!Files.isDirectory(dir)) {
                out.println("  no log: " + dir + " does not exist");
                problems.add(new DumpProblem(node, null, dir, null, TmMessage.NODE_WITHOUT_LOG + " node " + node
                        + " has no log: " + dir + " does not exist; check log.directory and nodes (a node that never "
                        + "ran has no log)"));
                continue;
            }
            List<Long> incarnations;
            try {
                incarnations = LogLayout.incarnations(dir);
            } catch (IOException e) {
                problems.add(new DumpProblem(node, null, dir, null, "cannot list " + dir + ": " + e));
                out.println("  cannot list " + dir + ": " + e);
                continue;
            }
            if (incarnations.isEmpty()) {
                out.println("  no incarnations (no segment files)");
            }
            for (long inc : incarnations) {
                DumpProblem p = dumpIncarnation(node, dir, inc);
                if (p != null) {
                    problems.add(p);
                }
            }
        }
        out.flush();
        return problems;
    }

    private DumpProblem dumpIncarnation(String node, Path dir, long incarnation) {
        out.println("  incarnation " + Long.toUnsignedString(incarnation) + " ("
                + String.format(Locale.ROOT, "%016x", incarnation) + ")");
        ReplayResult result;
        try {
            result = LogReader.visit(dir, incarnation, (file, offset, record) -> out.println("    "
                    + file.getFileName() + " @" + offset + " " + describe(record)));
        } catch (CorruptLogException e) {
            out.println("    CORRUPT at " + e.file().getFileName() + " @" + e.offset() + ": the records above were "
                    + "read, the rest of this incarnation was not");
            return new DumpProblem(node, incarnation, e.file(), e.offset(), e.getMessage());
        } catch (IOException e) {
            out.println("    cannot be read: " + e.getMessage());
            return new DumpProblem(node, incarnation, dir, null, e.getMessage());
        }
        result.tornTail().ifPresent(t -> out.println("    torn tail at " + t.file().getFileName() + " @" + t.offset()
                + ": " + t.problem() + " (never acknowledged, ignored)"));
        out.println("    " + result.recordsRead() + " records, " + result.pending().size() + " decisions open");
        return null;
    }

    /**
     * Dumps the rows of a database decision store: {@code stored} as {@link StoreRows#read} returned them for
     * {@code requested} (null: every node of the store). Returns what could not be decoded, and every requested node
     * the store never saw ({@code NODE_WITHOUT_LOG}, as a node without a log directory).
     */
    List<DumpProblem> dumpStore(String location, List<StoreRows.StoredNode> stored, List<String> requested) {
        List<DumpProblem> problems = new ArrayList<>();
        out.println("store " + location);
        if (stored.isEmpty() && requested == null) {
            out.println("  no nodes: none has started with this store yet");
        }
        for (StoreRows.StoredNode node : stored) {
            out.println("node " + node.name() + (node.name().equals(node.nodeId()) ? ""
                    : " (its XIDs carry " + node.nodeId() + ")"));
            for (StoreRows.StoredIncarnation inc : node.incarnations()) {
                DumpProblem p = dumpStoredIncarnation(node, inc);
                if (p != null) {
                    problems.add(p);
                }
            }
            out.println("  incarnations up to " + node.lastIncarnation() + " without a row were retired (nothing of "
                    + "them was open)");
        }
        if (requested != null) {
            for (String id : requested) {
                if (stored.stream().noneMatch(n -> n.nodeId().equals(id) || n.name().equals(id))) {
                    out.println("node " + id);
                    out.println("  not in the store: no node of this id ever started with it");
                    problems.add(new DumpProblem(id, null, null, null, TmMessage.NODE_WITHOUT_LOG + " node " + id
                            + " is not in the decision store " + location + ": check nodes and "
                            + ServiceConfig.DECISION_STORE_PREFIX + "schema (a node that never ran has no records)"));
                }
            }
        }
        out.flush();
        return problems;
    }

    private DumpProblem dumpStoredIncarnation(StoreRows.StoredNode node, StoreRows.StoredIncarnation inc) {
        out.println("  incarnation " + inc.id() + " (" + String.format(Locale.ROOT, "%016x", inc.id()) + ") lease holder="
                + inc.holder() + " epoch=" + inc.epoch() + " expires=" + Logfmt.ts(inc.expiresAt()) + " ("
                + (inc.expired() ? "expired" : "held") + ") started=" + Logfmt.ts(inc.startedAt()));
        DecisionFold fold = new DecisionFold();
        DumpProblem problem = null;
        for (StoreRows.StoredRecord row : inc.records()) {
            LogRecord record;
            try {
                record = RecordCodec.decode(row.bytes(), 0, row.bytes().length);
            } catch (MalformedRecordException e) {
                out.println("    seq " + row.seq() + " CORRUPT: " + e.getMessage() + " (the other rows are still shown)");
                if (problem == null) {
                    problem = new DumpProblem(node.name(), inc.id(), null, row.seq(), TmMessage.CORRUPT_LOG + " the row "
                            + "of seq " + row.seq() + " of incarnation " + inc.id() + " of node " + node.name()
                            + " in the decision store cannot be decoded: " + e.getMessage());
                }
                continue;
            }
            fold.apply(record);
            out.println("    seq " + row.seq() + " " + describe(record));
        }
        out.println("    " + inc.records().size() + " records, " + fold.pending().size() + " decisions open");
        return problem;
    }

    /** One record on one line: type, gtrid and what the type carries. */
    static String describe(LogRecord record) {
        StringBuilder sb = new StringBuilder();
        byte[] gtrid = record.gtrid();
        String type = record instanceof CommitRecord ? "COMMIT" : record instanceof EndRecord ? "END"
                : record instanceof HeuristicRecord ? "HEURISTIC" : "FORGET";
        sb.append(type).append(" gtrid=").append(GtridText.hex(gtrid));
        LockstepXids.GlobalId parsed = GtridText.parse(gtrid).orElse(null);
        sb.append(" (").append(parsed == null ? "not a Lockstep gtrid" : parsed.shortId()).append(')');
        if (record instanceof CommitRecord c) {
            if (parsed != null) {
                sb.append(" begun=").append(Logfmt.ts(parsed.begin())).append(" timeout=")
                        .append(parsed.timeoutSeconds()).append('s');
            }
            sb.append(" decided=").append(Logfmt.ts(Instant.ofEpochMilli(c.decidedAtMillis())));
            sb.append(" branches=[").append(c.branches().stream()
                    .map(b -> b.resourceName() + "/" + GtridText.hex(b.bqual())).collect(Collectors.joining(", ")))
                    .append(']');
        } else if (record instanceof HeuristicRecord h) {
            sb.append(" branch=").append(h.resourceName()).append('/').append(GtridText.hex(h.bqual()))
                    .append(" outcome=").append(h.outcome()).append(" at=")
                    .append(Logfmt.ts(Instant.ofEpochMilli(h.atMillis())));
        }
        return sb.toString();
    }
}
