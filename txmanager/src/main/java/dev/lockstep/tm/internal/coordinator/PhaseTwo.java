package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.internal.xa.XaCalls;
import dev.lockstep.tm.internal.xa.XaCodes.PhaseTwoOutcome;
import dev.lockstep.tm.spi.CrashPoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** Phase two, first attempt: commits (after the decision) or rolls back every given branch. */
final class PhaseTwo {

    private PhaseTwo() {
    }

    // Without a crash hook the calls capture nothing, so no lambda is allocated per transaction.
    private static final Consumer<Branch> COMMIT = b -> b.phaseTwo = call(b, true);
    private static final Consumer<Branch> ROLLBACK = b -> b.phaseTwo = call(b, false);

    static void commit(Coordinator c, List<Branch> prepared) {
        if (!c.crashHookSet() || prepared.size() == 1) {
            c.phases.forEach(prepared, COMMIT);
            return;
        }
        AtomicBoolean first = new AtomicBoolean();
        c.phases.forEach(prepared, b -> {
            b.phaseTwo = call(b, true);
            if (b.phaseTwo == PhaseTwoOutcome.DONE && first.compareAndSet(false, true)) {
                c.crash(CrashPoint.C5_SOME_COMMITTED);
            }
        });
    }

    static void rollback(Coordinator c, List<Branch> branches) {
        c.phases.forEach(branches, ROLLBACK);
    }

    /** One commit ({@code onePhase=false}) or rollback call on the branch's own resource. */
    static PhaseTwoOutcome call(Branch b, boolean committing) {
        return call(b, b.resource, committing);
    }

    static PhaseTwoOutcome call(Branch b, javax.transaction.xa.XAResource resource, boolean committing) {
        return XaCalls.phaseTwo(resource, b.xid, committing, b);
    }
}
