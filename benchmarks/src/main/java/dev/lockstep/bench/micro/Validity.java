package dev.lockstep.bench.micro;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether a trial's transactions were really done: every completed transaction must show, on every resource, the
 * XA calls its workload requires, and nothing else (no rollback, no one-phase shortcut on a two-phase workload, no
 * missing prepare or commit). A TM that cut a corner makes its trial invalid instead of fast.
 */
public final class Validity {

    private Validity() {
    }

    /**
     * The problems found, empty if the trial is valid. {@code deltas} are the calls made on each resource during
     * the trial, {@code completed} the transactions whose commit returned normally, {@code failed} those that threw.
     */
    public static List<String> check(Workload workload, TxSystem system, CountingXAResource[] resources,
            CountingXAResource.Counts[] deltas, Map<String, Long> counterDeltas, long completed, long failed) {
        List<String> problems = new ArrayList<>();
        if (failed > 0) {
            problems.add(failed + " transaction(s) threw instead of committing");
        }
        if (completed == 0) {
            problems.add("no transaction completed");
        }
        if (!system.drivesResources()) {
            String self = system.selfCheck(completed, counterDeltas);
            if (self != null) {
                problems.add(self);
            }
            return problems;
        }
        for (int i = 0; i < resources.length; i++) {
            CountingXAResource.Counts d = deltas[i];
            String r = resources[i].name() + ": ";
            long n = completed;
            expect(problems, r + "start", d.starts(), n);
            expect(problems, r + "end", d.ends(), n);
            expect(problems, r + "rollback", d.rollbacks(), 0);
            switch (workload) {
                case TWO_PHASE -> {
                    expect(problems, r + "prepare", d.prepares(), n);
                    expect(problems, r + "commit(onePhase=false)", d.twoPhaseCommits(), n);
                    expect(problems, r + "commit(onePhase=true)", d.onePhaseCommits(), 0);
                }
                case ONE_PHASE -> {
                    expect(problems, r + "prepare", d.prepares(), 0);
                    expect(problems, r + "commit(onePhase=true)", d.onePhaseCommits(), n);
                    expect(problems, r + "commit(onePhase=false)", d.twoPhaseCommits(), 0);
                }
                case READ_ONLY -> {
                    // Every branch is either prepared (and votes read-only, so phase two skips it) or, once all the
                    // others voted read-only, committed in one phase without a prepare: a legal optimization that
                    // Narayana makes on the last branch. Never both, never a two-phase commit.
                    expect(problems, r + "prepare + commit(onePhase=true)", d.prepares() + d.onePhaseCommits(), n);
                    expect(problems, r + "commit(onePhase=false)", d.twoPhaseCommits(), 0);
                }
            }
        }
        if (workload == Workload.READ_ONLY) {
            long onePhase = 0;
            for (CountingXAResource.Counts d : deltas) {
                onePhase += d.onePhaseCommits();
            }
            if (onePhase > completed) {
                problems.add(onePhase + " one-phase commits for " + completed + " transactions: at most one branch "
                        + "of a transaction may skip its prepare");
            }
        }
        return problems;
    }

    private static void expect(List<String> problems, String what, long actual, long expected) {
        if (actual != expected) {
            problems.add(what + " called " + actual + " times, expected " + expected);
        }
    }
}
