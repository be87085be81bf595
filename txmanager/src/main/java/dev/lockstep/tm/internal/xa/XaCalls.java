package dev.lockstep.tm.internal.xa;

import dev.lockstep.tm.internal.xa.XaCodes.PhaseTwoOutcome;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/** The phase-two call as the coordinator, its retries and recovery all make it, with one reading of its answer. */
public final class XaCalls {

    /** Told the exception of a failed call (a branch keeps it for its messages). */
    public interface Failures {
        void failed(Throwable t);
    }

    private XaCalls() {
    }

    /**
     * {@code commit(xid, false)} or {@code rollback(xid)} on {@code xa}, and what the answer means
     * ({@link XaCodes#ofPhaseTwoError}). {@code XA_HEURCOM} on a commit and {@code XA_HEURRB} on a rollback are the
     * decided outcome, reached by the resource on its own: they are forgotten here. The other heuristics are left for
     * the caller to record first. A runtime exception (some drivers' broken connection) means try again later.
     */
    public static PhaseTwoOutcome phaseTwo(XAResource xa, Xid xid, boolean committing, Failures failures) {
        try {
            if (committing) {
                xa.commit(xid, false);
            } else {
                xa.rollback(xid);
            }
            return PhaseTwoOutcome.DONE;
        } catch (XAException e) {
            failures.failed(e);
            PhaseTwoOutcome outcome = XaCodes.ofPhaseTwoError(e.errorCode, committing);
            if (outcome == PhaseTwoOutcome.DONE && XaCodes.remembersHeuristic(e.errorCode)) {
                try {
                    xa.forget(xid);
                } catch (XAException | RuntimeException ignored) {
                    // the outcome is right either way; the RM may keep a note it no longer needs
                }
            }
            return outcome;
        } catch (RuntimeException e) {
            failures.failed(e);
            return PhaseTwoOutcome.RETRY;
        }
    }
}
