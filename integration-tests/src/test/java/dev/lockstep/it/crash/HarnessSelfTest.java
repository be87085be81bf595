package dev.lockstep.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.demo.transfer.Checker;
import dev.lockstep.demo.transfer.ChildJvm;
import dev.lockstep.demo.transfer.Endpoints;
import dev.lockstep.demo.transfer.TransferApp;
import dev.lockstep.demo.transfer.TransferTables;
import dev.lockstep.demo.transfer.Workload;
import dev.lockstep.demo.transfer.XaBranches;
import dev.lockstep.tm.spi.CrashPoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The crash suite's own pieces, without the recovery service: the TransferApp commits transfers that the Checker
 * finds consistent, halts at a crash point leaving prepared branches that the Checker sees, and dies by SIGKILL when
 * killed. Run this first when a crash test fails, to tell a harness problem from a recovery problem.
 */
class HarnessSelfTest {

    private Endpoints all;

    @BeforeEach
    void cleanSlate() throws Exception {
        all = Endpoints.ofHarness(true);
        CrashRuns.cleanSlate(all);
    }

    @Test
    void committedTransfersAreConsistentEverywhere() throws Exception {
        String node = CrashRuns.nodeId("self-load");
        Path dir = CrashRuns.runDir(node);
        TransferTables.openAccounts(all, node, Workload.ACCOUNTS, Workload.INITIAL);
        try (ChildJvm app = ChildJvm.start(TransferApp.class,
                TransferApp.Options.load(node, dir.resolve("log"), all, 2, 10).toArgs(), dir.resolve("app.out"))) {
            assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), app.tail());
        }
        Checker.Report report = Checker.forRun(all, node, true).check();
        assertTrue(report.ok(), report.toString());
        assertEquals(20, report.committed(), report.toString());
        assertEquals(20, report.messages().size(), report.toString());
    }

    @Test
    void aHaltAtC4LeavesEveryBranchPreparedForTheCheckerToSee() throws Exception {
        String node = CrashRuns.nodeId("self-c4");
        Path dir = CrashRuns.runDir(node);
        TransferTables.openAccounts(all, node, Workload.ACCOUNTS, Workload.INITIAL);
        try (ChildJvm app = ChildJvm.start(TransferApp.class,
                TransferApp.Options.crash(node, dir.resolve("log"), all, CrashPoint.C4_DECISION_FORCED, 1).toArgs(),
                dir.resolve("app.out"))) {
            assertEquals(TransferApp.HALTED, app.awaitExit(Duration.ofSeconds(60)), app.tail());
            assertTrue(app.output().contains(TransferApp.HALT + " point=C4_DECISION_FORCED"), app.tail());
        }
        Checker checker = Checker.forRun(all, node, true);
        List<XaBranches.InDoubtBranch> inDoubt = checker.inDoubt();
        assertEquals(List.of("postgresql", "mariadb", "artemis"),
                inDoubt.stream().map(XaBranches.InDoubtBranch::server).toList(), inDoubt.toString());
        assertEquals(1, inDoubt.stream().map(XaBranches.InDoubtBranch::gtridHex).distinct().count(),
                inDoubt.toString());

        // By hand, what recovery must not do here (there is a COMMIT decision): roll back, just to clean up.
        assertEquals(3, XaBranches.rollBack(all, node::equals).size());
        Checker.Report report = checker.check();
        assertTrue(report.ok(), report.toString());
        assertEquals(1, report.committed(), "the transfer before the crash: " + report);
        assertEquals(Checker.Outcome.ROLLED_BACK, report.outcomeOf(node + "-crash"), report.toString());
    }

    @Test
    void destroyForciblyIsSigkill() throws Exception {
        String node = CrashRuns.nodeId("self-kill");
        Path dir = CrashRuns.runDir(node);
        TransferTables.openAccounts(all, node, Workload.ACCOUNTS, Workload.INITIAL);
        try (ChildJvm app = ChildJvm.start(TransferApp.class,
                TransferApp.Options.load(node, dir.resolve("log"), all, 2, 0).toArgs(), dir.resolve("app.out"))) {
            app.awaitLine(TransferApp.LOAD_RUNNING, Duration.ofSeconds(60));
            assertEquals(ChildJvm.SIGKILL_EXIT, app.kill9(), "exit value 128 + 9: killed by SIGKILL");
        }
        // Leave nothing behind for the next test: roll back whatever the kill left prepared.
        XaBranches.rollBack(all, node::equals);
    }
}
