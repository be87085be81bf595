package dev.lockstep.tm.internal.log;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.Events;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.snapshot.LockstepSnapshot;
import dev.lockstep.tm.TestAccess;
import dev.lockstep.tm.internal.coordinator.NamedScriptedXAResource;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code Lockstep.snapshot()} of a Lockstep whose file log failed: the store is reported unusable. */
class SnapshotOfFailedLogTest {

    @TempDir
    Path dir;

    /*
     * Scenario: the log's forces fail from now on; a two-phase commit tries to write its decision.
     * Expected: commit fails; the snapshot's problem names LKS-182 and the failed force, so a health check can go DOWN.
     */
    @Test
    void aFailedForceMakesTheStoreUnusable() throws Exception {
        FaultyLogStorage storage = new FaultyLogStorage();
        Lockstep.Builder b = Lockstep.builder().nodeId("failing").logDirectory(dir).inProcessRecovery(false);
        try (Lockstep ls = TestAccess.logStorage(b, storage).build()) {
            assertNull(ls.snapshot().problem());
            storage.failForce();
            TransactionManager tm = ls.transactionManager();
            Events events = new Events();
            tm.begin();
            tm.getTransaction().enlistResource(new NamedScriptedXAResource("db-a", events));
            tm.getTransaction().enlistResource(new NamedScriptedXAResource("db-b", events));
            assertThrows(Exception.class, tm::commit);

            LockstepSnapshot s = ls.snapshot();
            assertFalse(s.storeUsable());
            assertTrue(s.problem().startsWith("LKS-182 decision log failed at force"), s.problem());
        }
    }
}
