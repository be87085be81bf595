package dev.lockstep.tm.internal.recovery;

import dev.lockstep.tm.internal.xa.LockstepXid;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.log.HeuristicRecord;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.recovery.InDoubtTransaction;
import dev.lockstep.tm.recovery.InDoubtTransaction.BranchState;
import dev.lockstep.tm.recovery.InDoubtTransaction.Decision;
import dev.lockstep.tm.recovery.InDoubtTransaction.Owner;
import dev.lockstep.tm.recovery.InDoubtTransaction.State;
import dev.lockstep.tm.recovery.ResourceStatus;
import dev.lockstep.tm.recovery.ScanReport;
import dev.lockstep.tm.spi.LockstepXids.GlobalId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The report of a pass: how each resource answered, what was done, and what is still unfinished with the reason for
 * each (a branch still listed, a dead owner's open decision, or a heuristic no operator cleared).
 */
final class ReportWriter {

    private static final HexFormat HEX = HexFormat.of();

    private final Pass pass;

    ReportWriter(Pass pass) {
        this.pass = pass;
    }

    ScanReport report() {
        List<ResourceStatus> statuses = new ArrayList<>();
        for (ResourceScan s : pass.scans.values()) {
            statuses.add(new ResourceStatus(s.name(), s.reachable, s.skipped, s.ours.size(), s.foreign,
                    s.error, s.reachable ? null : pass.engine.asker.nextAttempt(s.name())));
        }
        Map<Gtrid, InDoubtTransaction> inDoubt = new LinkedHashMap<>();
        for (ListedTx tx : pass.listed.values()) {
            if (tx.branches.stream().anyMatch(b -> !b.finished)) {
                inDoubt.put(tx.gtrid, describe(tx.gtrid, tx.parsed, pass.incs.get(tx.key())));
            }
        }
        List<InDoubtTransaction> live = new ArrayList<>();
        for (IncView v : pass.incs.values()) {
            for (Map.Entry<Gtrid, PendingDecision> e : v.pending.entrySet()) {
                if (inDoubt.containsKey(e.getKey())) {
                    continue;
                }
                GlobalId parsed = LockstepXid.parseGtrid(e.getKey().bytes());
                if (parsed == null) {
                    continue;
                }
                boolean open = v.owner == Owner.DEAD || !e.getValue().heuristics().isEmpty();
                if (open) {
                    inDoubt.put(e.getKey(), describe(e.getKey(), parsed, v));
                } else {
                    // A live owner's decision with no branch listed: its own phase two is at work (or stuck).
                    live.add(describe(e.getKey(), parsed, v));
                }
            }
        }
        return new ScanReport(pass.started, Duration.between(pass.started, pass.engine.clock.instant()), statuses,
                pass.actions, new ArrayList<>(inDoubt.values()), pass.logProblems, live, pass.logFindings);
    }

    private InDoubtTransaction describe(Gtrid gtrid, GlobalId parsed, IncView v) {
        PendingDecision d = v == null ? null : v.pending.get(gtrid);
        CommitRecord commit = d == null ? null : d.commit();
        List<BranchState> branches = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        List<String> waiting = new ArrayList<>();
        ListedTx tx = pass.listed.get(gtrid);
        if (tx != null) {
            for (ListedBranch b : tx.branches) {
                seen.add(b.scan.name() + "/" + b.bqualHex());
                branches.add(new BranchState(b.scan.name(), b.bqualHex(), b.finished ? State.FINISHED
                        : State.IN_DOUBT));
                if (!b.finished && b.waitingFor != null && !waiting.contains(b.waitingFor)) {
                    waiting.add(b.waitingFor);
                }
            }
        }
        if (commit != null) {
            for (CommitRecord.RecordedBranch br : commit.branches()) {
                String bq = HEX.formatHex(br.bqual());
                if (seen.add(br.resourceName() + "/" + bq)) {
                    ResourceScan s = pass.scans.get(br.resourceName());
                    branches.add(new BranchState(br.resourceName(), bq, s != null && s.reachable
                            ? State.FINISHED : State.UNKNOWN));
                }
            }
            String why = pass.unfinishedBranch(gtrid, commit);
            if (why != null && !waiting.contains(why) && (tx == null || waiting.isEmpty())) {
                waiting.add(why);
            }
        }
        List<InDoubtTransaction.Heuristic> hs = new ArrayList<>();
        if (d != null) {
            for (HeuristicRecord h : d.heuristics()) {
                hs.add(new InDoubtTransaction.Heuristic(h.resourceName(), HEX.formatHex(h.bqual()), h.outcome(),
                        Instant.ofEpochMilli(h.atMillis())));
            }
            if (!hs.isEmpty()) {
                waiting.add("heuristic outcome(s) recorded: an operator resolves them (resolve)");
            }
        }
        if (v != null && v.problem != null && waiting.isEmpty()) {
            waiting.add(v.problem);
        }
        if (waiting.isEmpty() && v != null && v.owner == Owner.ALIVE && commit != null) {
            waiting.add("its owner is alive and no resource lists a branch of it: the transaction manager's own "
                    + "phase two finishes it and writes its END");
        }
        return new InDoubtTransaction(gtrid.toString(), parsed.nodeId(), parsed.incarnation(), parsed.sequence(),
                Instant.ofEpochMilli(parsed.beginMillis()), Instant.ofEpochMilli(parsed.deadlineMillis()),
                v == null ? Owner.NO_LOG : v.owner == null ? Owner.NO_LOG : v.owner,
                commit != null ? Decision.COMMIT : Decision.NONE,
                commit != null ? Instant.ofEpochMilli(commit.decidedAtMillis()) : null, branches, hs,
                String.join("; ", waiting));
    }
}
