package dev.lockstep.recoveryservice;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.tm.recovery.InDoubtTransaction;
import dev.lockstep.tm.recovery.LogFinding;
import dev.lockstep.tm.recovery.ResourceStatus;
import dev.lockstep.tm.recovery.ScanReport;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/**
 * What {@code list} shows of an {@link dev.lockstep.tm.recovery.Recovery#inspect()}: a table for people, or JSON
 * for scripts. The JSON is built field by field, not by serializing the records, so its shape is this class's
 * contract and does not change when a record of txmanager grows:
 *
 * <pre>
 * {"inspectedAt": ISO-8601, "clean": bool,
 *  "inDoubt": [{"gtrid", "tx" (node:incarnation:sequence), "node", "incarnation", "sequence", "begin", "deadline",
 *               "owner" (ALIVE|DEAD|NO_LOG), "decision" (COMMIT|NONE), "decidedAt",
 *               "branches": [{"resource", "bqual", "state" (IN_DOUBT|FINISHED|UNKNOWN)}],
 *               "heuristics": [{"resource", "bqual", "outcome", "at"}], "waitingFor"}],
 *  "liveDecisions": [same fields as inDoubt: a live owner's open decision that no resource lists],
 *  "resources": [{"name", "reachable", "skipped", "ourBranches", "foreignBranches", "error", "nextAttempt"}],
 *  "logProblems": [text],
 *  "logFindings": [{"kind" (CORRUPT|UNREADABLE|DIRECTORY_UNREADABLE|MISSING|NO_LOG|TORN_TAIL), "problem" (bool),
 *                   "node", "incarnation", "id" (LKS-nnn or null), "file", "offset", "detail"}],
 *  "nodesWithoutLog": [node id]}
 * </pre>
 * Times are ISO-8601 UTC strings; absent values are JSON null.
 */
final class InDoubtListing {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private InDoubtListing() {
    }

    static void table(ScanReport r, PrintWriter out) {
        List<InDoubtTransaction> txs = r.inDoubt();
        out.println(txs.isEmpty() ? "Nothing in doubt." : txs.size() + " transaction(s) in doubt:");
        if (!txs.isEmpty()) {
            out.println();
            TextTable t = new TextTable("TX", "OWNER", "DECISION", "BEGIN", "DEADLINE", "WAITING FOR");
            for (InDoubtTransaction tx : txs) {
                t.row(ReportPrinter.shortId(tx), ReportPrinter.lower(tx.owner()), ReportPrinter.lower(tx.decision()),
                        Logfmt.ts(tx.begin()), Logfmt.ts(tx.deadline()), tx.waitingFor());
            }
            List<String> lines = t.lines();
            out.println(lines.get(0));
            for (int i = 0; i < txs.size(); i++) {
                InDoubtTransaction tx = txs.get(i);
                out.println(lines.get(i + 1));
                out.println("    gtrid      " + tx.gtrid());
                if (tx.decidedAt() != null) {
                    out.println("    decided    " + Logfmt.ts(tx.decidedAt()));
                }
                for (InDoubtTransaction.BranchState b : tx.branches()) {
                    out.println("    branch     " + b.resource() + "/" + b.bqual() + "  " + ReportPrinter.lower(b.state()));
                }
                for (InDoubtTransaction.Heuristic h : tx.heuristics()) {
                    out.println("    heuristic  " + h.resource() + "/" + h.bqual() + "  " + h.outcome() + " at "
                            + Logfmt.ts(h.at()));
                }
            }
        }
        out.println();
        if (r.resources().isEmpty()) {
            out.println("No resources configured.");
        } else {
            TextTable t = new TextTable("RESOURCE", "REACHABLE", "OUR BRANCHES", "FOREIGN", "NEXT ATTEMPT", "ERROR");
            for (ResourceStatus s : r.resources()) {
                t.row(s.name(), s.reachable() ? "yes" : s.skipped() ? "no (backing off)" : "no",
                        s.reachable() ? s.ourBranches() : null, s.reachable() ? s.foreignBranches() : null,
                        Logfmt.ts(s.nextAttempt()), s.error());
            }
            t.print(out);
        }
        if (!r.liveDecisions().isEmpty()) {
            out.println();
            out.println(r.liveDecisions().size() + " open decision(s) of live transaction managers, no branch "
                    + "listed (their owners finish them):");
            for (InDoubtTransaction tx : r.liveDecisions()) {
                out.println("  " + ReportPrinter.shortId(tx) + "  gtrid " + tx.gtrid() + "  decided "
                        + Logfmt.ts(tx.decidedAt()) + "  " + tx.waitingFor());
            }
        }
        if (!r.logProblems().isEmpty()) {
            out.println();
            out.println("Logs that cannot be used:");
            for (String p : r.logProblems()) {
                out.println("  " + p);
                r.logFindings().stream().filter(f -> f.detail().equals(p) && f.file() != null).findFirst()
                        .ifPresent(f -> out.println("    file   " + f.file() + (f.offset() == null ? ""
                                : " @" + f.offset())));
            }
        }
        List<LogFinding> notes = r.logFindings().stream().filter(f -> !f.problem()).toList();
        if (!notes.isEmpty()) {
            out.println();
            out.println("Notes on the logs:");
            notes.forEach(f -> out.println("  " + f.detail()));
        }
        out.flush();
    }

    static String json(ScanReport r) {
        try {
            return JSON.writeValueAsString(tree(r));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(ServiceMessage.LISTING_NOT_SERIALIZED
                    + " a tree of plain values did not serialize: " + e, e);
        }
    }

    /** The listing as a tree: what {@link #json} writes, and the data of the {@code in_doubt} event. */
    static ObjectNode tree(ScanReport r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("inspectedAt", Logfmt.ts(r.startedAt()));
        root.put("clean", r.clean());
        ArrayNode txs = root.putArray("inDoubt");
        for (InDoubtTransaction tx : r.inDoubt()) {
            transaction(txs.addObject(), tx);
        }
        ArrayNode live = root.putArray("liveDecisions");
        for (InDoubtTransaction tx : r.liveDecisions()) {
            transaction(live.addObject(), tx);
        }
        ArrayNode resources = root.putArray("resources");
        for (ResourceStatus s : r.resources()) {
            resources.addObject().put("name", s.name()).put("reachable", s.reachable()).put("skipped", s.skipped())
                    .put("ourBranches", s.ourBranches()).put("foreignBranches", s.foreignBranches())
                    .put("error", s.error()).put("nextAttempt", time(s.nextAttempt()));
        }
        ArrayNode problems = root.putArray("logProblems");
        r.logProblems().forEach(problems::add);
        ArrayNode findings = root.putArray("logFindings");
        for (LogFinding f : r.logFindings()) {
            ObjectNode o = findings.addObject().put("kind", f.kind().name()).put("problem", f.problem())
                    .put("node", f.nodeId());
            o.put("incarnation", f.incarnation());
            o.put("id", f.id()).put("file", f.file() == null ? null : f.file().toString());
            o.put("offset", f.offset());
            o.put("detail", f.detail());
        }
        ArrayNode withoutLog = root.putArray("nodesWithoutLog");
        r.nodesWithoutLog().forEach(withoutLog::add);
        return root;
    }

    /** The fields of one transaction, the same in {@code inDoubt} and {@code liveDecisions}. */
    private static void transaction(ObjectNode o, InDoubtTransaction tx) {
        o.put("gtrid", tx.gtrid());
        o.put("tx", ReportPrinter.shortId(tx));
        o.put("node", tx.nodeId());
        o.put("incarnation", tx.incarnation());
        o.put("sequence", tx.sequence());
        o.put("begin", time(tx.begin()));
        o.put("deadline", time(tx.deadline()));
        o.put("owner", name(tx.owner()));
        o.put("decision", name(tx.decision()));
        o.put("decidedAt", time(tx.decidedAt()));
        ArrayNode branches = o.putArray("branches");
        for (InDoubtTransaction.BranchState b : tx.branches()) {
            branches.addObject().put("resource", b.resource()).put("bqual", b.bqual()).put("state", name(b.state()));
        }
        ArrayNode heuristics = o.putArray("heuristics");
        for (InDoubtTransaction.Heuristic h : tx.heuristics()) {
            heuristics.addObject().put("resource", h.resource()).put("bqual", h.bqual())
                    .put("outcome", name(h.outcome())).put("at", time(h.at()));
        }
        o.put("waitingFor", tx.waitingFor());
    }

    private static String time(Instant t) {
        return Logfmt.ts(t);
    }

    private static String name(Enum<?> e) {
        return e == null ? null : e.name();
    }
}
