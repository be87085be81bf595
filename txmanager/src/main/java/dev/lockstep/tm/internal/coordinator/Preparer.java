package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.internal.xa.XaCodes;
import dev.lockstep.tm.spi.CrashPoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.transaction.xa.XAException;

/** Phase one: asks every branch to prepare and records its vote on the branch. */
final class Preparer {

    private Preparer() {
    }

    // Without a crash hook the call captures nothing, so no lambda is allocated per transaction.
    private static final Consumer<Branch> PREPARE = Preparer::prepareOne;

    static void prepare(Coordinator c, List<Branch> branches) {
        if (!c.crashHookSet()) {
            c.phases.forEach(branches, PREPARE);
            return;
        }
        AtomicBoolean first = new AtomicBoolean();
        c.phases.forEach(branches, b -> {
            prepareOne(b);
            if (b.vote == XaCodes.PrepareOutcome.PREPARED && first.compareAndSet(false, true)) {
                c.crash(CrashPoint.C2_SOME_PREPARED);
            }
        });
    }

    private static void prepareOne(Branch b) {
        try {
            b.vote = XaCodes.ofVote(b.resource.prepare(b.xid));
        } catch (XAException e) {
            b.failed(e);
            b.vote = XaCodes.ofPrepareError(e.errorCode);
        } catch (RuntimeException e) {
            // A driver bug or a broken connection: the branch may or may not be prepared; roll back.
            b.failed(e);
            b.vote = XaCodes.PrepareOutcome.FAILED;
        }
    }
}
