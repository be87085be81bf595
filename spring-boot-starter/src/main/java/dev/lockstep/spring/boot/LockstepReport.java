package dev.lockstep.spring.boot;

import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.snapshot.LockstepSnapshot;
import dev.lockstep.tm.snapshot.LockstepSnapshot.InFlightBranch;
import dev.lockstep.tm.snapshot.LockstepSnapshot.RecordedHeuristic;
import dev.lockstep.tm.events.TransactionEvent.BranchCall;
import dev.lockstep.tm.recovery.InDoubtTransaction;
import dev.lockstep.tm.recovery.ResourceStatus;
import dev.lockstep.tm.recovery.ScanReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the Actuator endpoint {@code lockstep} shows and the health indicator {@code lockstep} sums up: the
 * {@link Lockstep#snapshot() snapshot} of this node (transactions in flight, branches waiting for a phase-two retry,
 * heuristics this incarnation reported, whether its decision store can still decide) and the last in-process recovery
 * scan (what it left in doubt, the resources it could not reach). Free text (errors, reasons) has every configured
 * password and URL credential masked ({@link SecretRedactor}). Times are instants; ages and waits are milliseconds at
 * {@link #takenAt()}. docs/operations.md ("Spring Boot Actuator") shows it as JSON.
 *
 * @param node                 the node id
 * @param incarnation          this start of the node
 * @param takenAt              when the snapshot was taken
 * @param decisionStore        where decisions are written (no secrets)
 * @param problem              why no decision can be recorded now, or null (then the health is UP)
 * @param transactions         transactions begun and not completed, oldest first
 * @param retrying             branches of decided transactions the background retrier is still finishing
 * @param heuristics           the heuristic outcomes this incarnation reported (the latest 100)
 * @param heuristicsTotal      how many this incarnation reported
 * @param oldestInDoubtSince   since when the oldest prepared branch waits for phase two (retrying, in a commit under
 *                             way, or left in doubt at the last scan), or null
 * @param oldestInDoubtMillis  how long that is, or null
 * @param recovery             the last in-process recovery scan, or null (recovery off, or no scan ran yet)
 */
public record LockstepReport(String node, long incarnation, Instant takenAt, String decisionStore, String problem,
                             List<InFlight> transactions, List<Retrying> retrying,
                             List<RecordedHeuristic> heuristics, long heuristicsTotal, Instant oldestInDoubtSince,
                             Long oldestInDoubtMillis, Scan recovery) {

    /** A transaction in flight; {@code state} as in {@link LockstepSnapshot.InFlightTransaction#state()}. */
    public record InFlight(String id, String gtrid, String state, Instant begin, long ageMillis, Instant deadline,
                           List<InFlightBranch> branches) {
    }

    /** A branch the background retrier keeps trying: {@code attempts} so far, waiting since {@code since}. */
    public record Retrying(String transaction, String gtrid, int branch, String resource, BranchCall call,
                           int attempts, Instant since, long waitingMillis, String lastError) {
    }

    /**
     * The last in-process recovery scan.
     *
     * @param inDoubt       what it left in doubt (heuristics included), all nodes it scanned
     * @param unreachable   the resources it could not ask
     * @param logProblems   the logs an operator must look at
     */
    public record Scan(Instant startedAt, long tookMillis, List<InDoubtTransaction> inDoubt,
                       List<Unreachable> unreachable, List<String> logProblems) {
    }

    /** A resource recovery could not ask, and why. */
    public record Unreachable(String resource, String error) {
    }

    /** Takes the snapshot of {@code lockstep} and joins the last report of {@code recovery} (may be null). */
    static LockstepReport of(Lockstep lockstep, LockstepRecovery recovery, SecretRedactor redactor) {
        LockstepSnapshot s = lockstep.snapshot();
        Instant now = s.takenAt();
        List<InFlight> transactions = new ArrayList<>();
        for (LockstepSnapshot.InFlightTransaction t : s.transactions()) {
            transactions.add(new InFlight(t.id(), t.gtrid(), t.state(), t.begin(), t.age(now).toMillis(),
                    t.deadline(), t.branches()));
        }
        List<Retrying> retrying = new ArrayList<>();
        for (LockstepSnapshot.RetryingBranch r : s.retrying()) {
            retrying.add(new Retrying(r.transaction(), r.gtrid(), r.branch(), r.resource(), r.call(), r.attempts(),
                    r.since(), Duration.between(r.since(), now).toMillis(), redactor.redact(r.lastError())));
        }
        Scan scan = null;
        Instant oldest = s.oldestInDoubtSince().orElse(null);
        Optional<ScanReport> last = recovery == null ? Optional.empty() : recovery.lastReport();
        if (last.isPresent()) {
            ScanReport report = last.get();
            List<InDoubtTransaction> inDoubt = new ArrayList<>();
            for (InDoubtTransaction t : report.inDoubt()) {
                inDoubt.add(new InDoubtTransaction(t.gtrid(), t.nodeId(), t.incarnation(), t.sequence(), t.begin(),
                        t.deadline(), t.owner(), t.decision(), t.decidedAt(), t.branches(), t.heuristics(),
                        redactor.redact(t.waitingFor())));
                Instant since = t.decidedAt() != null ? t.decidedAt() : t.begin();
                if (since != null && (oldest == null || since.isBefore(oldest))) {
                    oldest = since;
                }
            }
            List<Unreachable> unreachable = new ArrayList<>();
            for (ResourceStatus r : report.resources()) {
                if (!r.reachable()) {
                    unreachable.add(new Unreachable(r.name(), redactor.redact(r.error())));
                }
            }
            scan = new Scan(report.startedAt(), report.took().toMillis(), inDoubt, unreachable,
                    report.logProblems().stream().map(redactor::redact).toList());
        }
        return new LockstepReport(s.nodeId(), s.incarnation(), now, redactor.redact(s.decisionStore()),
                redactor.redact(s.problem()), transactions, retrying, s.heuristics(), s.heuristicsTotal(), oldest,
                oldest == null ? null : Math.max(0, Duration.between(oldest, now).toMillis()), scan);
    }

    /**
     * The heuristic outcomes that wait for an operator: those this incarnation reported (recovery refuses to resolve
     * them while it runs) and those the last scan found in the log for other incarnations or nodes.
     */
    long heuristicsUnresolved() {
        long n = heuristicsTotal;
        if (recovery != null) {
            for (InDoubtTransaction t : recovery.inDoubt()) {
                if (!(t.nodeId().equals(node) && t.incarnation() == incarnation)) {
                    n += t.heuristics().size();
                }
            }
        }
        return n;
    }
}
