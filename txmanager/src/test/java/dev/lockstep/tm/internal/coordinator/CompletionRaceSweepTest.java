package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.testkit.ScriptedXAResource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.ScriptedXAResource.Verb;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;

/**
 * The thread-race sweep (issue 11): at every XA call of a completion (start, end, prepare, the log write, commit,
 * rollback, forget), a second thread makes each call JTA allows it on the same transaction ({@code setRollbackOnly},
 * {@code rollback}, {@code enlistResource}, {@code delistResource(TMFAIL)}, {@code getStatus}, the reaper's timeout),
 * while the first thread is held at that call; the first goes on once the second has finished or is blocked waiting
 * for it. Every completion kind is swept: two-phase commit (sequential and parallel phases), a commit whose prepare
 * votes rollback, a commit with a heuristic (which calls forget), one-phase commit, an application rollback, a
 * timeout, and a commit whose log write fails with an unknown outcome.
 *
 * <p>Checked after each run, whatever the interleaving: one outcome, the same on every branch (all committed or none,
 * and a branch the second thread enlisted successfully shares it); afterCompletion ran exactly once, with the real
 * status; nothing stays prepared (unless the outcome is unknown, where everything stays prepared for recovery); the
 * transaction left the live set; every XA call is legal for its branch's state (no branch ended twice, prepared
 * before it was ended, or committed and rolled back) and every branch has a qualifier of its own; each thread got an answer JTA allows, consistent with the
 * outcome (a mark, a TMFAIL delisting, a rollback or a timeout that was accepted means nothing committed; a commit
 * that returned normally means everything committed); and never an LKS-101 (an illegal state move).
 *
 * <p>{@code -Dlockstep.sweep.deep=true} repeats every run 20 times, to shake out interleavings after the pause.
 */
class CompletionRaceSweepTest {

    private static final int REPEAT = Boolean.getBoolean("lockstep.sweep.deep") ? 20 : 1;

    enum Kind { COMMIT, COMMIT_PARALLEL, COMMIT_VOTE_NO, COMMIT_HEURISTIC, ONE_PHASE, ROLLBACK, TIMEOUT, UNKNOWN }

    enum Action { SET_ROLLBACK_ONLY, ROLLBACK, ENLIST, DELIST_FAIL, GET_STATUS, TIMEOUT }

    @Test
    void everySecondThreadCallAtEveryXaCallOfEveryCompletionGivesOneOutcome() throws Exception {
        int runs = 0;
        List<String> failures = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            int points = new Run(kind, -1, null).execute().pointsSeen;
            assertTrue(points >= 3, kind + " passed only " + points + " XA calls");
            for (int point = 0; point <= points; point++) {
                for (Action action : Action.values()) {
                    for (int i = 0; i < REPEAT; i++) {
                        runs++;
                        Run r = new Run(kind, point, action);
                        try {
                            r.execute().check();
                        } catch (AssertionError | Exception e) {
                            failures.add(r + ": " + e.getMessage());
                        }
                    }
                }
            }
        }
        System.out.println("race sweep: " + runs + " runs");
        assertTrue(failures.isEmpty(), failures.size() + " of " + runs + " runs broke an invariant:\n"
                + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
    }

    /** One run: a completion of {@code kind}, with {@code action} made by a second thread at XA call {@code point}. */
    private static final class Run {
        final Kind kind;
        final int point;
        final Action action;
        final Fixture f;
        final ScriptedXAResource r1;
        final ScriptedXAResource r2;
        final ScriptedXAResource r3;
        final Protocol protocol = new Protocol();
        final AtomicInteger calls = new AtomicInteger();
        final List<Integer> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile Transaction tx;
        volatile SecondThread second;
        Throwable firstFailure;
        boolean firstReturned;
        int pointsSeen;

        Run(Kind kind, int point, Action action) {
            this.kind = kind;
            this.point = point;
            this.action = action;
            this.f = new Fixture(kind == Kind.COMMIT_PARALLEL);
            this.r1 = f.resource("r1");
            this.r2 = f.resource("r2");
            this.r3 = f.resource("r3");
            for (ScriptedXAResource r : List.of(r1, r2, r3)) {
                r.hook((verb, xid) -> {
                    protocol.call(r.resourceName(), verb, xid);
                    if (r != r3) {
                        reached(verb + "(" + r.resourceName() + ")");
                    }
                });
            }
            f.store.beforeCommitWrite = () -> reached("log COMMIT");
            if (kind == Kind.COMMIT_VOTE_NO) {
                r2.failOn(Verb.PREPARE, XAException.XA_RBROLLBACK);
            } else if (kind == Kind.COMMIT_HEURISTIC) {
                r1.failOn(Verb.COMMIT, XAException.XA_HEURMIX);
            } else if (kind == Kind.UNKNOWN) {
                f.store.failCommitUnknown = true;
            }
        }

        /** Called before each XA call of r1 and r2 and before the log write; runs the action at the chosen one. */
        private void reached(String what) {
            int n = calls.getAndIncrement();
            if (n == point && action != null) {
                second = SecondThread.runBesides("second-" + action, this::act);
            }
        }

        private Object act() throws Exception {
            Transaction t = tx;
            return switch (action) {
                case SET_ROLLBACK_ONLY -> {
                    t.setRollbackOnly();
                    yield "marked";
                }
                case ROLLBACK -> {
                    t.rollback();
                    yield "rolled back";
                }
                case ENLIST -> t.enlistResource(r3);
                case DELIST_FAIL -> t.delistResource(kind == Kind.ONE_PHASE ? r1 : r2, XAResource.TMFAIL);
                case GET_STATUS -> t.getStatus();
                case TIMEOUT -> ((LockstepTransaction) t).timeOut();
            };
        }

        Run execute() throws Exception {
            try (f) {
                try {
                    f.tm.begin();
                    tx = f.tm.getTransaction();
                    tx.registerSynchronization(new jakarta.transaction.Synchronization() {
                        @Override
                        public void beforeCompletion() {
                        }

                        @Override
                        public void afterCompletion(int status) {
                            statuses.add(status);
                        }
                    });
                    boolean workFailed = false;
                    try {
                        tx.enlistResource(r1);
                        if (kind != Kind.ONE_PHASE) {
                            tx.enlistResource(r2);
                        }
                    } catch (RollbackException | IllegalStateException | SystemException e) {
                        firstFailure = e;
                        workFailed = true;
                    }
                    switch (workFailed ? Kind.ROLLBACK : kind) {
                        // ROLLBACK is also what an application (or its container) does when its work failed.
                        case ROLLBACK -> f.tm.rollback();
                        case TIMEOUT -> {
                            f.tm.suspend();
                            f.clock.advance(Duration.ofSeconds(61));
                            f.coordinator.timeOutExpired(Runnable::run);
                        }
                        default -> f.tm.commit();
                    }
                    firstReturned = !workFailed;
                } catch (Exception e) {
                    firstFailure = firstFailure == null ? e : firstFailure;
                } finally {
                    if (f.tm.getTransaction() != null) {
                        f.tm.suspend(); // leaves the fixture's thread clean whatever happened
                    }
                }
                finish();
            }
            return this;
        }

        private void finish() throws InterruptedException {
            if (point == calls.get() && action != null) {
                second = SecondThread.runBesides("second-after-" + action, this::act); // after the last call
            }
            if (second != null) {
                second.join();
            }
            f.awaitRetriesDone();
            pointsSeen = calls.get();
        }

        void check() {
            String gtrid = HexFormat.of().formatHex(((LockstepTransaction) tx).gtrid());
            boolean r3Member = second != null && action == Action.ENLIST && Boolean.TRUE.equals(second.result());
            List<ScriptedXAResource> members = new ArrayList<>(List.of(r1));
            if (kind != Kind.ONE_PHASE) {
                members.add(r2);
            }
            if (r3Member) {
                members.add(r3);
            }
            int committed = 0;
            int prepared = 0;
            for (ScriptedXAResource r : members) {
                if (kind == Kind.COMMIT_HEURISTIC && r == r1) {
                    continue; // decided on its own: the reported heuristic
                }
                committed += count(r.committed(), gtrid);
                prepared += count(new ArrayList<>(r.prepared()), gtrid);
            }
            int counted = members.size() - (kind == Kind.COMMIT_HEURISTIC ? 1 : 0);
            boolean allCommitted = committed == counted;
            boolean noneCommitted = committed == 0;
            assertTrue(allCommitted || noneCommitted, "mixed outcome: " + committed + " of " + counted
                    + " committed; " + f.events);
            assertEquals(0, count(r3.committed(), gtrid) > 0 && !r3Member ? 1 : 0,
                    "r3 committed although its enlistment failed: " + second + "; " + f.events);
            assertTrue(protocol.violations.isEmpty(), "XA protocol violated: " + protocol.violations + "; "
                    + f.events);
            assertEquals(1, statuses.size(), "afterCompletion ran " + statuses.size() + " times: " + statuses);
            int status = statuses.get(0);
            boolean unknown = kind == Kind.UNKNOWN && status == Status.STATUS_UNKNOWN;
            if (unknown) {
                assertEquals(counted, prepared, "an unknown outcome leaves every branch prepared; " + f.events);
                assertEquals(0, committed);
            } else {
                assertEquals(0, prepared, "left prepared: " + f.events);
                int expected = kind == Kind.COMMIT_HEURISTIC && allCommitted && committed > 0
                        ? Status.STATUS_UNKNOWN : allCommitted && committed > 0 ? Status.STATUS_COMMITTED
                        : Status.STATUS_ROLLEDBACK;
                assertEquals(TxState.statusName(expected), TxState.statusName(status), f.events.toString());
            }
            assertTrue(!f.coordinator.liveTransactions().contains(tx), "left in the live set");
            checkFirst(allCommitted && committed > 0, unknown);
            checkSecond(allCommitted && committed > 0);
        }

        private void checkFirst(boolean committedOutcome, boolean unknown) {
            noIllegalMove(firstFailure);
            if (kind == Kind.TIMEOUT) {
                return;
            }
            if (firstReturned && kind != Kind.ROLLBACK) {
                assertTrue(committedOutcome, "commit() returned normally but the outcome is rollback");
            }
            if (firstFailure instanceof RollbackException || (firstReturned && kind == Kind.ROLLBACK)) {
                assertTrue(!committedOutcome, "told rolled back but committed");
            }
            if (firstFailure instanceof SystemException) {
                assertTrue(unknown || kind == Kind.ROLLBACK, "SystemException without an unknown outcome: "
                        + firstFailure);
            }
            if (firstFailure instanceof HeuristicMixedException) {
                assertEquals(Kind.COMMIT_HEURISTIC, kind);
            }
            if (firstFailure != null && !(firstFailure instanceof RollbackException
                    || firstFailure instanceof SystemException || firstFailure instanceof HeuristicMixedException
                    || firstFailure instanceof IllegalStateException)) {
                throw new AssertionError("the first thread got " + firstFailure, firstFailure);
            }
            if (firstFailure instanceof IllegalStateException) {
                assertTrue(action == Action.ROLLBACK || action == Action.TIMEOUT || action == Action.SET_ROLLBACK_ONLY
                        || action == Action.DELIST_FAIL, "IllegalStateException without a competing completion: "
                        + firstFailure);
                assertTrue(!committedOutcome, "refused, yet committed: " + firstFailure);
            }
        }

        private void checkSecond(boolean committedOutcome) {
            if (second == null) {
                return;
            }
            Throwable t = second.failure();
            noIllegalMove(t);
            if (t != null && !(t instanceof IllegalStateException || t instanceof RollbackException
                    || t instanceof SystemException)) {
                throw new AssertionError("the second thread (" + action + ") got " + t, t);
            }
            boolean accepted = t == null && switch (action) {
                // Returning normally, setRollbackOnly either marked a live transaction or found it rolling back.
                case SET_ROLLBACK_ONLY, ROLLBACK -> true;
                case DELIST_FAIL -> Boolean.TRUE.equals(second.result());
                case TIMEOUT -> Boolean.TRUE.equals(second.result());
                default -> false;
            };
            assertTrue(!(accepted && committedOutcome), action + " was accepted (" + second + ") but the "
                    + "transaction committed");
        }

        private static void noIllegalMove(Throwable t) {
            for (Throwable c = t; c != null; c = c.getCause()) {
                if (c.getMessage() != null && c.getMessage().contains("LKS-101")) {
                    throw new AssertionError("an illegal state move: " + c, c);
                }
            }
        }

        private static int count(List<String> keys, String gtrid) {
            int n = 0;
            for (String k : keys) {
                if (k.startsWith(gtrid + "/")) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public String toString() {
            return kind + " with " + action + " at XA call " + point;
        }
    }

    /** The states of each branch on each resource, from the calls made; an illegal call is a violation. */
    private static final class Protocol {
        enum S { ACTIVE, ENDED, PREPARED, DONE }

        final Map<String, S> branches = new HashMap<>();
        /** Branch qualifiers started, across resources: no branch joins another in this sweep, so each is new. */
        final Map<String, String> startedBquals = new HashMap<>();
        final List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());

        synchronized void call(String resource, Verb verb, Xid xid) {
            if (xid == null) {
                return;
            }
            String bqual = HexFormat.of().formatHex(xid.getBranchQualifier());
            String key = resource + "/" + bqual;
            if (verb == Verb.START) {
                String other = startedBquals.putIfAbsent(bqual, resource);
                if (other != null && !other.equals(resource)) {
                    violations.add("branch qualifier " + bqual + " started on " + other + " and on " + resource);
                }
            }
            S s = branches.get(key);
            S next = switch (verb) {
                case START -> s == null ? S.ACTIVE : bad(key, verb, s);
                case END -> s == S.ACTIVE ? S.ENDED : bad(key, verb, s);
                case PREPARE -> s == S.ENDED ? S.PREPARED : bad(key, verb, s);
                // One-phase commit of an ended branch, or phase two of a prepared one (a retry may repeat it).
                case COMMIT -> s == S.ENDED || s == S.PREPARED || s == S.DONE ? S.DONE : bad(key, verb, s);
                case ROLLBACK -> s == S.ENDED || s == S.PREPARED || s == S.DONE ? S.DONE : bad(key, verb, s);
                case FORGET, RECOVER -> s;
            };
            branches.put(key, next);
        }

        private S bad(String key, Verb verb, S s) {
            violations.add(verb + " of " + key + " in state " + s);
            return s;
        }
    }
}
