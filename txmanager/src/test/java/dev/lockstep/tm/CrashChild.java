package dev.lockstep.tm;

import dev.lockstep.testkit.Events;
import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.tm.internal.coordinator.NamedScriptedXAResource;
import dev.lockstep.tm.spi.CrashPoint;
import jakarta.transaction.UserTransaction;
import java.nio.file.Path;

/**
 * The child JVM of {@link CrashPointTest}: commits one two-branch transaction and halts (no shutdown hooks, no
 * flush, like kill -9) when it reaches the crash point named on the command line. Exit code 77 = halted there.
 */
public final class CrashChild {
    static final int HALTED = 77;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        CrashPoint point = CrashPoint.valueOf(args[1]);
        Lockstep ls = Lockstep.builder().nodeId("crash").logDirectory(dir).parallelPhases(false)
                .crashHook(p -> {
                    if (p == point) {
                        Runtime.getRuntime().halt(HALTED);
                    }
                }).build();
        UserTransaction ut = ls.userTransaction();
        ut.begin();
        Events events = new Events();
        ls.transactionManager().getTransaction().enlistResource(new NamedScriptedXAResource("db-a", events));
        ls.transactionManager().getTransaction().enlistResource(new NamedScriptedXAResource("db-b", events));
        ut.commit();
        System.exit(0); // not reached when the crash point is on the two-phase path
    }
}
