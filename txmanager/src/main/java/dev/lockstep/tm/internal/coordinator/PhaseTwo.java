package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.internal.xa.XaCodes;
import dev.lockstep.tm.internal.xa.XaCodes.PhaseTwoOutcome;
import dev.lockstep.tm.spi.CrashPoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.transaction.xa.XAException;

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
        try {
            if (committing) {
                resource.commit(b.xid, false);
            } else {
                resource.rollback(b.xid);
            }
            return PhaseTwoOutcome.DONE;
        } catch (XAException e) {
            b.failed(e);
            PhaseTwoOutcome outcome = XaCodes.ofPhaseTwoError(e.errorCode, committing);
            if (outcome == PhaseTwoOutcome.DONE
                    && (e.errorCode == XAException.XA_HEURCOM || e.errorCode == XAException.XA_HEURRB)) {
                // XA_HEURCOM on commit, XA_HEURRB on rollback: the RM got there on its own and waits for forget.
                // (The other heuristics are recorded first, then forgotten, by the caller.)
                try {
                    resource.forget(b.xid);
                } catch (XAException | RuntimeException ignored) {
                    // the outcome is right either way; the RM may keep a note it no longer needs
                }
            }
            return outcome;
        } catch (RuntimeException e) {
            // A broken connection surfaces as a runtime exception in some drivers: try again later.
            b.failed(e);
            return PhaseTwoOutcome.RETRY;
        }
    }
}
