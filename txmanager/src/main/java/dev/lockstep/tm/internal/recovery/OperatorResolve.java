package dev.lockstep.tm.internal.recovery;

import dev.lockstep.tm.internal.xa.LockstepXid;
import dev.lockstep.tm.internal.xa.XaCodes;
import dev.lockstep.tm.internal.xa.XaCodes.PhaseTwoOutcome;
import dev.lockstep.tm.log.CommitRecord;
import dev.lockstep.tm.log.CorruptLogException;
import dev.lockstep.tm.log.ForgetRecord;
import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.log.PendingDecision;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.RecoveryAction.Kind;
import dev.lockstep.tm.recovery.ResolveRefusedException;
import dev.lockstep.tm.recovery.Verdict;
import dev.lockstep.tm.spi.LockstepXids.GlobalId;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import javax.transaction.xa.XAException;

/**
 * An operator's resolve of one transaction (docs/recovery.md, "Operator's resolve"): takes over the owner's log
 * (refused while the owner is alive), refuses a rollback against a COMMIT decision, records a COMMIT decision before
 * committing, calls the verdict on every listed branch, {@code forget()}s what a resource completed on its own, and
 * closes the decision with a FORGET record once every branch is done. Every refusal is a
 * {@link ResolveRefusedException} that says why and what to do.
 */
final class OperatorResolve {

    private static final HexFormat HEX = HexFormat.of();

    private final Pass pass;

    OperatorResolve(Pass pass) {
        this.pass = pass;
    }

    /** A transaction an operator named: its gtrid, and what the gtrid says. */
    record Target(Gtrid gtrid, GlobalId parsed) {
    }

    /** The gtrid {@code gtridHex} names, checked to be one of Lockstep's of a node this recovery is for. */
    static Target parse(String gtridHex, Set<String> nodeIds) {
        byte[] gtrid;
        try {
            gtrid = HEX.parseHex(gtridHex.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ResolveRefusedException(TmMessage.RESOLVE_NOT_A_GTRID, "'" + gtridHex
                    + "' is not a gtrid: give the hexadecimal global id as 'list' prints it");
        }
        GlobalId parsed = LockstepXid.parseGtrid(gtrid);
        if (parsed == null) {
            throw new ResolveRefusedException(TmMessage.RESOLVE_FOREIGN_GTRID, "gtrid " + gtridHex
                    + " is not one of Lockstep's: recovery never "
                    + "touches other transaction managers' branches; resolve it with that manager or the resource's "
                    + "own tools");
        }
        if (!nodeIds.contains(parsed.nodeId())) {
            throw new ResolveRefusedException(TmMessage.RESOLVE_OTHER_NODE, "gtrid " + gtridHex + " belongs to node '"
                    + parsed.nodeId() + "', "
                    + "which this recovery is not responsible for (nodes " + new TreeSet<>(nodeIds) + "): add it to "
                    + "the configured nodes, or resolve it where that node is recovered");
        }
        return new Target(Gtrid.of(gtrid), parsed);
    }

    List<RecoveryAction> resolve(Gtrid gtrid, GlobalId parsed, Verdict verdict) {
        try {
            pass.engine.asker.ask(pass, true);
            IncKey key = new IncKey(parsed.nodeId(), parsed.incarnation());
            OwnedLog o = own(key, gtrid);
            PendingDecision d = o.pending.get(gtrid);
            ListedTx tx = pass.listed.get(gtrid);
            List<ListedBranch> branches = tx == null ? List.of() : tx.branches;
            if (verdict == Verdict.ROLLBACK && d != null && d.commit() != null) {
                throw new ResolveRefusedException(TmMessage.RESOLVE_ROLLBACK_OF_COMMIT, "transaction " + gtrid + " ("
                        + parsed + ") has a durable "
                        + "COMMIT decision (decided at " + Instant.ofEpochMilli(d.commit().decidedAtMillis())
                        + "): its branches must commit, and rolling any back would break atomicity; use "
                        + "resolve --commit, or let a scan finish it");
            }
            if (branches.isEmpty() && d == null) {
                throw new ResolveRefusedException(TmMessage.RESOLVE_NOTHING_IN_DOUBT, "transaction " + gtrid + " ("
                        + parsed + ") has no branch in "
                        + "doubt in any reachable resource and nothing open in its log: there is nothing to "
                        + "resolve");
            }
            if (verdict == Verdict.COMMIT && (d == null || d.commit() == null) && !branches.isEmpty()) {
                List<CommitRecord.RecordedBranch> list = new ArrayList<>();
                for (ListedBranch b : branches) {
                    list.add(new CommitRecord.RecordedBranch(b.xid.getBranchQualifier(), b.scan.name()));
                }
                CommitRecord commit = new CommitRecord(gtrid.bytes(), pass.nowMillis, list);
                writeOrRefuse(() -> o.log.writeCommit(commit), "the operator's COMMIT decision");
                d = new PendingDecision(commit, d == null ? List.of() : d.heuristics(), false);
                o.pending.put(gtrid, d);
                pass.action(Kind.DECIDE, true, parsed.nodeId(), gtrid.toString(), null, null, "operator: COMMIT "
                        + "decision recorded for " + list.size() + " branch(es) in doubt");
            }
            boolean allDone = pass.scans.values().stream().allMatch(s -> s.reachable);
            for (ListedBranch b : branches) {
                allDone &= resolveBranch(tx, b, verdict);
            }
            if (allDone && d != null && d.commit() != null) {
                allDone = pass.unfinishedBranch(gtrid, d.commit()) == null;
            }
            if (allDone) {
                writeOrRefuse(() -> o.log.writeForget(new ForgetRecord(gtrid.bytes())), "the FORGET record");
                o.pending.remove(gtrid);
                pass.action(Kind.FORGET, true, parsed.nodeId(), gtrid.toString(), null, null, "operator: "
                        + verdict + " done on every branch; the decision and its heuristics are closed");
            } else {
                pass.action(Kind.FORGET, false, parsed.nodeId(), gtrid.toString(), null, null, "operator: "
                        + verdict + " not yet done on every branch (see above); scans go on with it");
            }
            new Closer(pass).retireEmpty();
            return List.copyOf(pass.actions);
        } finally {
            pass.closeConnections();
        }
    }

    /** Calls the verdict on one branch; forgets a heuristically completed one. True if it is finished. */
    private boolean resolveBranch(ListedTx tx, ListedBranch b, Verdict verdict) {
        boolean committing = verdict == Verdict.COMMIT;
        Kind kind = committing ? Kind.COMMIT : Kind.ROLLBACK;
        PhaseTwoOutcome outcome = PhaseTwoCaller.call(b, committing);
        switch (outcome) {
            case DONE -> {
                if (b.lastError == null) {
                    pass.action(kind, true, tx, b, "operator's resolve");
                } else {
                    pass.action(Kind.FORGET, true, tx, b, "operator's resolve: the resource had completed it on its "
                            + "own" + b.code() + "; forgotten");
                }
                return true;
            }
            case RETRY, NOT_FOUND -> {
                pass.action(kind, false, tx, b, "operator's resolve: " + (b.lastError instanceof XAException e
                        ? XaCodes.name(e.errorCode) + ", tried again by later scans" : Pass.describe(b.lastError)));
                return false;
            }
            default -> {
                try {
                    b.scan.connection.xaResource().forget(b.xid);
                    pass.action(Kind.FORGET, true, tx, b, "operator's resolve: the resource had completed it on its "
                            + "own" + b.code() + "; forgotten");
                    return true;
                } catch (XAException | RuntimeException f) {
                    pass.action(Kind.FORGET, false, tx, b, "forget failed: " + Pass.describe(f));
                    return false;
                }
            }
        }
    }

    /** The owner's log, held by this recovery: taken over now if no scan did. */
    private OwnedLog own(IncKey key, Gtrid gtrid) {
        OwnedLog o = pass.engine.owned.get(key);
        if (o != null) {
            return o;
        }
        DecisionSource source = pass.engine.source;
        Long last;
        try {
            last = source.lastIncarnation(key.nodeId());
        } catch (IOException e) {
            throw new ResolveRefusedException(TmMessage.RESOLVE_LOG_DIRECTORY_UNREADABLE, "cannot read the log of "
                    + "node '" + key.nodeId() + "': " + Pass.describe(e));
        }
        if (last == null || key.incarnation() > last) {
            throw new ResolveRefusedException(TmMessage.RESOLVE_LOG_MISSING, "node '" + key.nodeId()
                    + "' has no log of incarnation "
                    + key.incarnation() + " in " + source.location(key.nodeId()) + ": check log.directory; the "
                    + "decision could not be recorded");
        }
        try {
            DecisionSource.Taken t = source.takeOver(key.nodeId(), key.incarnation());
            if (t == null) {
                throw new ResolveRefusedException(TmMessage.RESOLVE_OWNER_ALIVE, "transaction " + gtrid
                        + " belongs to incarnation "
                        + key.incarnation() + " of node '" + key.nodeId() + "', which is alive (its log lock is "
                        + "held): its transaction manager decides; resolve only transactions of stopped "
                        + "processes");
            }
            o = new OwnedLog(t);
            pass.engine.owned.put(key, o);
            pass.action(Kind.TAKE_OVER, true, key.nodeId(), null, null, null, "incarnation " + key.incarnation()
                    + " is dead: its log is taken over for the operator's decision");
            return o;
        } catch (CorruptLogException e) {
            throw new ResolveRefusedException(TmMessage.RESOLVE_CORRUPT_LOG, "the log of node '" + key.nodeId()
                    + "' incarnation "
                    + key.incarnation() + " is corrupt (" + e.getMessage() + "); a decision cannot be recorded "
                    + "in it");
        } catch (IOException e) {
            throw new ResolveRefusedException(TmMessage.RESOLVE_TAKE_OVER_FAILED, "cannot take over the log of node '"
                    + key.nodeId() + "': " + Pass.describe(e));
        }
    }

    /** Runs a write of the operator's resolve; a failure refuses the rest. */
    private interface LogWrite {
        void run() throws IOException;
    }

    private static void writeOrRefuse(LogWrite w, String what) {
        try {
            w.run();
        } catch (IOException e) {
            throw new ResolveRefusedException(TmMessage.RESOLVE_WRITE_FAILED, what
                    + " could not be written to the log: " + Pass.describe(e) + "; nothing more was done");
        }
    }
}
