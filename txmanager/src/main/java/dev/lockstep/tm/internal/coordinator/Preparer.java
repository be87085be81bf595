package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.internal.xa.XaCodes;
import dev.lockstep.tm.spi.CrashPoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.transaction.xa.XAException;

/** Phase one: asks every branch to prepare and records its vote on the branch. */
final class Preparer {

    private Preparer() {
    }

    static void prepare(Coordinator c, List<Branch> branches) {
        AtomicBoolean first = c.crashHookSet() ? new AtomicBoolean() : null;
        c.phases.forEach(branches, b -> {
            try {
                b.vote = XaCodes.ofVote(b.resource.prepare(b.xid));
                if (first != null && b.vote == XaCodes.PrepareOutcome.PREPARED && first.compareAndSet(false, true)) {
                    c.crash(CrashPoint.C2_SOME_PREPARED);
                }
            } catch (XAException e) {
                b.failed(e);
                b.vote = XaCodes.ofPrepareError(e.errorCode);
            } catch (RuntimeException e) {
                // A driver bug or a broken connection: the branch may or may not be prepared; roll back.
                b.failed(e);
                b.vote = XaCodes.PrepareOutcome.FAILED;
            }
        });
    }
}
