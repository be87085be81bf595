package dev.lockstep.tm.snapshot;

import dev.lockstep.tm.events.TransactionEvent.BranchCall;
import dev.lockstep.tm.log.HeuristicOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What one Lockstep is doing at a moment, for operators' tools (the Spring Boot starter's health indicator and
 * Actuator endpoint, a JMX bean, a console): its transactions in flight with their branches, the branches the
 * background retrier is still trying to finish, and the heuristic outcomes this incarnation recorded. Immutable;
 * taken by {@code Lockstep.snapshot()}.
 *
 * <p><b>Consistent enough, not atomic.</b> The parts are read one after the other, without stopping any transaction:
 * a transaction that begins or completes meanwhile may or may not be listed, and a branch that finishes its first
 * commit may show in {@link #transactions()} and, a moment later, in {@link #retrying()}. Each transaction's own
 * state and branches are read together (under its monitor, which no XA call ever holds).
 *
 * @param nodeId            the node id
 * @param incarnation       this start of the node
 * @param takenAt           when the snapshot was taken (Lockstep's clock)
 * @param decisionStore     where the decisions are written, as messages name it (no secrets: no password, no URL
 *                          credentials)
 * @param problem           why no transaction can be decided now (the file log failed a write or a force, the
 *                          database store's lease was lost, Lockstep is closed), or null while the store is usable
 * @param transactions      the transactions begun and not yet completed, oldest first
 * @param retrying          the branches of decided transactions not yet finished, oldest first
 * @param heuristics        the heuristic outcomes this incarnation reported, oldest first; at most the last
 *                          {@value #HEURISTICS_KEPT}. They stay in the decision log until an operator resolves them,
 *                          which recovery refuses while this incarnation runs, so none of them is resolved yet
 * @param heuristicsTotal   every heuristic outcome this incarnation reported (may exceed the list's size)
 */
public record LockstepSnapshot(String nodeId, long incarnation, Instant takenAt, String decisionStore, String problem,
                               List<InFlightTransaction> transactions, List<RetryingBranch> retrying,
                               List<RecordedHeuristic> heuristics, long heuristicsTotal) {

    /** How many of the latest heuristic outcomes a snapshot lists. */
    public static final int HEURISTICS_KEPT = 100;

    public LockstepSnapshot {
        transactions = List.copyOf(transactions);
        retrying = List.copyOf(retrying);
        heuristics = List.copyOf(heuristics);
    }

    /** True while decisions can be recorded: {@link #problem()} is null. */
    public boolean storeUsable() {
        return problem == null;
    }

    /**
     * When the oldest branch that is prepared with its outcome not yet delivered started waiting: the retrying
     * branches (since their first phase-two call failed) and the branches of transactions past their prepare that
     * still wait for phase two (since their transaction began). Empty if none.
     */
    public Optional<Instant> oldestInDoubtSince() {
        Stream<Instant> retried = retrying.stream().map(RetryingBranch::since);
        Stream<Instant> deciding = transactions.stream().filter(InFlightTransaction::pastPrepare)
                .map(InFlightTransaction::begin);
        return Stream.concat(retried, deciding).min(Instant::compareTo);
    }

    /**
     * One transaction begun and not yet completed.
     *
     * @param id        {@code node:incarnation:sequence}, as messages name it
     * @param gtrid     the global transaction id in lower-case hex (what the recovery service's resolve takes)
     * @param state     its state: {@code ACTIVE}, {@code MARKED_ROLLBACK}, {@code PREPARING}, {@code PREPARED},
     *                  {@code COMMITTING}, {@code ROLLING_BACK} (docs/design.md), or an end state reached a moment
     *                  before it left the list
     * @param begin     when it began
     * @param deadline  begin plus its timeout
     * @param branches  its branches, in the order they were enlisted
     */
    public record InFlightTransaction(String id, String gtrid, String state, Instant begin, Instant deadline,
                                      List<InFlightBranch> branches) {

        public InFlightTransaction {
            branches = List.copyOf(branches);
        }

        /** How long it has been running at {@code now}. */
        public Duration age(Instant now) {
            return Duration.between(begin, now);
        }

        /** Past phase one: its prepared branches wait for the decision or for phase two. */
        boolean pastPrepare() {
            return state.equals("PREPARED") || state.equals("COMMITTING");
        }
    }

    /**
     * One branch of a transaction in flight.
     *
     * @param branch    its number within the transaction (1, 2, ...)
     * @param resource  the name it is recorded under
     * @param state     where it stands
     */
    public record InFlightBranch(int branch, String resource, BranchProgress state) {
    }

    /** Where a branch of a transaction in flight stands, from the answers it gave so far. */
    public enum BranchProgress {
        /** Enlisted; no prepare or commit answered yet. */
        ENLISTED,
        /** Voted prepared: waits for the decision and phase two. */
        PREPARED,
        /** Voted read-only: finished, nothing to commit. */
        READ_ONLY,
        /** Voted rollback, or its prepare failed: the transaction rolls back. */
        PREPARE_REFUSED,
        /** Phase two finished it (committed or rolled back). */
        FINISHED,
        /** Phase two could not reach it: the background retrier finishes it. */
        RETRYING,
        /** The resource decided on its own (or lost the branch). */
        HEURISTIC
    }

    /**
     * A branch of a decided transaction that the background retrier keeps trying to finish (its resource could not be
     * reached, or answered "retry later").
     *
     * @param transaction  {@code node:incarnation:sequence}
     * @param gtrid        the global transaction id in lower-case hex
     * @param branch       the branch number
     * @param resource     the name it is recorded under
     * @param call         {@link BranchCall#COMMIT} or {@link BranchCall#ROLLBACK}: what it is retried with
     * @param attempts     retries made so far (0: the first is scheduled)
     * @param since        when its first phase-two call failed and it was left to the retrier
     * @param lastError    the XA code's name and the message of the last failure, or null
     */
    public record RetryingBranch(String transaction, String gtrid, int branch, String resource, BranchCall call,
                                 int attempts, Instant since, String lastError) {
    }

    /**
     * A heuristic outcome this incarnation reported: a resource decided a branch on its own, or lost it.
     *
     * @param transaction  {@code node:incarnation:sequence}
     * @param gtrid        the global transaction id in lower-case hex
     * @param branch       the branch number
     * @param resource     the name it is recorded under
     * @param kind         what the resource did
     * @param at           when it was reported
     * @param recorded     true if its HEURISTIC record is durable in the decision store; false if the write failed
     *                     (TmMessage.HEURISTIC_NOT_RECORDED: the resource was not told to forget it, so recovery
     *                     finds it there)
     */
    public record RecordedHeuristic(String transaction, String gtrid, int branch, String resource,
                                    HeuristicOutcome kind, Instant at, boolean recorded) {
    }
}
