package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.internal.xa.XaCalls;
import dev.lockstep.tm.internal.xa.XaCodes.PhaseTwoOutcome;
import dev.lockstep.tm.spi.CrashPoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** Phase two, first attempt: commits (after the decision) or rolls back every given branch. */
final class PhaseTwo {

    private PhaseTwo() {
    }

    static void commit(Coordinator c, List<Branch> prepared) {
        AtomicBoolean first = c.crashHookSet() && prepared.size() > 1 ? new AtomicBoolean() : null;
        c.phases.forEach(prepared, b -> {
            b.phaseTwo = call(b, true);
            if (first != null && b.phaseTwo == PhaseTwoOutcome.DONE && first.compareAndSet(false, true)) {
                c.crash(CrashPoint.C5_SOME_COMMITTED);
            }
        });
    }

    static void rollback(Coordinator c, List<Branch> branches) {
        c.phases.forEach(branches, b -> b.phaseTwo = call(b, false));
    }

    /** One commit ({@code onePhase=false}) or rollback call on the branch's own resource. */
    static PhaseTwoOutcome call(Branch b, boolean committing) {
        return call(b, b.resource, committing);
    }

    static PhaseTwoOutcome call(Branch b, javax.transaction.xa.XAResource resource, boolean committing) {
        return XaCalls.phaseTwo(resource, b.xid, committing, b);
    }
}
