package dev.lockstep.bench.micro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;

/**
 * The validity checks catch a system that cuts corners: a trial of a TM that goes one-phase on a two-phase
 * workload, rolls back, or skips a branch must be invalid, however fast it was.
 */
class ValidityTest {

    @Test
    void theXaCallsByHandAreValidOnEveryWorkload() throws Exception {
        for (Workload w : Workload.values()) {
            assertEquals(List.of(), run(new XaByHand(), w, 100), w.id());
        }
    }

    @Test
    void aTmThatGoesOnePhaseOnATwoPhaseWorkloadIsInvalid() throws Exception {
        List<String> problems = run(new Shortcut(Shortcut.Kind.ONE_PHASE_EACH), Workload.TWO_PHASE, 10);
        assertTrue(problems.stream().anyMatch(p -> p.contains("commit(onePhase=true) called 10 times, expected 0")),
                problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("prepare called 0 times, expected 10")),
                problems.toString());
    }

    @Test
    void aTmThatRollsBackIsInvalid() throws Exception {
        List<String> problems = run(new Shortcut(Shortcut.Kind.ROLLBACK), Workload.TWO_PHASE, 10);
        assertTrue(problems.stream().anyMatch(p -> p.contains("rollback called 10 times, expected 0")),
                problems.toString());
    }

    @Test
    void aTmThatSkipsTheSecondBranchIsInvalid() throws Exception {
        List<String> problems = run(new Shortcut(Shortcut.Kind.FIRST_BRANCH_ONLY), Workload.TWO_PHASE, 10);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("bench-rm-2: start called 0 times")),
                problems.toString());
    }

    @Test
    void readOnlyAllowsOneBranchToCommitInOnePhaseButNotTwo() throws Exception {
        assertEquals(List.of(), run(new Shortcut(Shortcut.Kind.LAST_ONE_PHASE), Workload.READ_ONLY, 10));
        List<String> problems = run(new Shortcut(Shortcut.Kind.ONE_PHASE_EACH), Workload.READ_ONLY, 10);
        assertTrue(problems.stream().anyMatch(p -> p.contains("20 one-phase commits for 10 transactions")),
                problems.toString());
    }

    @Test
    void aTransactionThatThrowsMakesTheTrialInvalid() {
        CountingXAResource[] rs = resources(Workload.ONE_PHASE);
        List<String> problems = Validity.check(Workload.ONE_PHASE, new XaByHand(), rs, counts(rs), Map.of(), 0, 3);
        assertTrue(problems.contains("3 transaction(s) threw instead of committing"), problems.toString());
    }

    private static List<String> run(TxSystem system, Workload w, int transactions) throws Exception {
        CountingXAResource[] rs = resources(w);
        XAResource[] adopted = system.adopt(rs);
        for (int i = 0; i < transactions; i++) {
            system.transaction(adopted);
        }
        return Validity.check(w, system, rs, counts(rs), Map.of(), transactions, 0);
    }

    private static CountingXAResource[] resources(Workload w) {
        CountingXAResource[] rs = new CountingXAResource[w.branches()];
        for (int i = 0; i < rs.length; i++) {
            rs[i] = new CountingXAResource("bench-rm-" + (i + 1), w.readOnly());
        }
        return rs;
    }

    private static CountingXAResource.Counts[] counts(CountingXAResource[] rs) {
        CountingXAResource.Counts[] c = new CountingXAResource.Counts[rs.length];
        for (int i = 0; i < rs.length; i++) {
            c[i] = rs[i].counts();
        }
        return c;
    }

    /** A coordinator that cheats in one of several ways. */
    private static final class Shortcut implements TxSystem {
        enum Kind { ONE_PHASE_EACH, ROLLBACK, FIRST_BRANCH_ONLY, LAST_ONE_PHASE }

        private final Kind kind;

        Shortcut(Kind kind) {
            this.kind = kind;
        }

        @Override
        public void transaction(XAResource[] resources) throws Exception {
            Xid[] xids = BenchXid.branches(resources.length);
            int n = kind == Kind.FIRST_BRANCH_ONLY ? 1 : resources.length;
            for (int i = 0; i < n; i++) {
                resources[i].start(xids[i], XAResource.TMNOFLAGS);
                resources[i].end(xids[i], XAResource.TMSUCCESS);
            }
            for (int i = 0; i < n; i++) {
                switch (kind) {
                    case ONE_PHASE_EACH -> resources[i].commit(xids[i], true);
                    case ROLLBACK -> resources[i].rollback(xids[i]);
                    case FIRST_BRANCH_ONLY -> {
                        resources[i].prepare(xids[i]);
                        resources[i].commit(xids[i], false);
                    }
                    case LAST_ONE_PHASE -> {
                        if (i < n - 1) {
                            resources[i].prepare(xids[i]);
                        } else {
                            resources[i].commit(xids[i], true);
                        }
                    }
                }
            }
        }

        @Override
        public Map<String, String> configuration() {
            return Map.of();
        }

        @Override
        public void close() {
        }
    }
}
