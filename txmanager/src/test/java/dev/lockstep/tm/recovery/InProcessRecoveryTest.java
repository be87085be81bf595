package dev.lockstep.tm.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.spi.NamedXAResource;
import jakarta.transaction.TransactionManager;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restarted node finishes its own past (issue 13): what an earlier incarnation left decided but unfinished is
 * committed by the next start's in-process recovery over the resources registered with it, and the earlier
 * incarnation is retired, with no recovery service and no operator.
 */
class InProcessRecoveryTest {

    @TempDir
    Path dir;

    /** Leaves a COMMIT without END behind: maria's commit fails once and its retry is far away when the TM closes. */
    private void leaveAnUnfinishedDecision(FakeRecoverableResource pg, FakeRecoverableResource maria) throws Exception {
        try (Lockstep first = Lockstep.builder().nodeId("n1").logDirectory(dir).inProcessRecovery(false)
                .retryInitialDelay(Duration.ofMinutes(10)).retryMaxDelay(Duration.ofMinutes(10)).build()) {
            maria.failCommit(XAException.XAER_RMFAIL);
            TransactionManager tm = first.transactionManager();
            tm.begin();
            tm.getTransaction().enlistResource(NamedXAResource.wrap("pg", preparing(pg)));
            tm.getTransaction().enlistResource(NamedXAResource.wrap("maria", preparing(maria)));
            tm.commit();
        }
    }

    /** The fake RM's connection as a TM uses it: a prepare keeps the branch in the RM, as a database does. */
    private static XAResource preparing(FakeRecoverableResource rm) throws Exception {
        XAResource xa = rm.openXaResource();
        return (XAResource) Proxy.newProxyInstance(XAResource.class.getClassLoader(), new Class<?>[] {XAResource.class},
                (p, m, args) -> {
                    if (m.getName().equals("prepare")) {
                        rm.prepare((Xid) args[0]);
                        return XAResource.XA_OK;
                    }
                    try {
                        return m.invoke(xa, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void theNextStartCommitsWhatTheLastOneLeftAndRetiresIt() throws Exception {
        FakeRecoverableResource pg = new FakeRecoverableResource("pg");
        FakeRecoverableResource maria = new FakeRecoverableResource("maria");
        leaveAnUnfinishedDecision(pg, maria);
        try (Lockstep next = Lockstep.builder().nodeId("n1").logDirectory(dir)
                .recoveryInterval(Duration.ofHours(1)).build()) {
            assertEquals(1, next.pendingDecisionsAtStart().size());
            assertEquals(Optional.empty(), next.recoverNow(), "no resource registered yet: nothing to scan");
            next.registerResource(pg);
            next.registerResource(maria);
            ScanReport report = next.recoverNow().orElseThrow();
            List<RecoveryAction.Kind> kinds = report.actions().stream().map(RecoveryAction::kind).toList();
            assertTrue(kinds.contains(RecoveryAction.Kind.COMMIT) && kinds.contains(RecoveryAction.Kind.RETIRE),
                    report.toString());
            assertTrue(maria.calls().stream().filter(c -> c.startsWith("commit")).count() == 2,
                    "the failed commit and recovery's: " + maria.calls());
            assertTrue(next.recoverNow().orElseThrow().clean());
            long earlier = next.incarnation() - 1;
            assertTrue(Files.notExists(dir.resolve("n1").resolve(LogLayout.manifestFileName(earlier)))
                    && Files.notExists(dir.resolve("n1").resolve(LogLayout.segmentFileName(earlier, 1))),
                    "the earlier incarnation is retired");
        }
    }

    @Test
    void offMeansNoScan() throws Exception {
        try (Lockstep ls = Lockstep.builder().nodeId("n1").logDirectory(dir).inProcessRecovery(false).build()) {
            ls.registerResource(new FakeRecoverableResource("pg"));
            assertEquals(Optional.empty(), ls.recoverNow());
        }
    }

    @Test
    void theScheduleRunsOnItsOwn() throws Exception {
        FakeRecoverableResource pg = new FakeRecoverableResource("pg");
        FakeRecoverableResource maria = new FakeRecoverableResource("maria");
        leaveAnUnfinishedDecision(pg, maria);
        try (Lockstep next = Lockstep.builder().nodeId("n1").logDirectory(dir)
                .recoveryInterval(Duration.ofMillis(100)).build()) {
            next.registerResource(pg);
            next.registerResource(maria);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (maria.calls().stream().filter(c -> c.startsWith("commit")).count() < 2
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(2, maria.calls().stream().filter(c -> c.startsWith("commit")).count(), maria.calls()
                    .toString());
        }
    }
}
