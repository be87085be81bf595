package dev.lockstep.metrics;

import dev.lockstep.tm.events.TransactionEvent;
import dev.lockstep.tm.events.TransactionEvent.BranchCall;
import dev.lockstep.tm.events.TransactionEvent.BranchCallStarted;
import dev.lockstep.tm.events.TransactionEvent.BranchFinished;
import dev.lockstep.tm.events.TransactionEvent.CompletionCause;
import dev.lockstep.tm.events.TransactionEvent.CompletionStarted;
import dev.lockstep.tm.events.TransactionEvent.PrepareVoted;
import dev.lockstep.tm.events.TransactionEvent.TransactionCompleted;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link Observation} per commit with a child per branch call, so that Micrometer Tracing shows each two-phase
 * commit as a trace: {@code lockstep.commit} (low-cardinality key values {@code outcome} and {@code branches}) and, under
 * it, {@code lockstep.branch.prepare}, {@code lockstep.branch.commit} and {@code lockstep.branch.rollback} (key values
 * {@code resource} and {@code phase}, and {@code vote} or {@code result}).
 *
 * <p>Those are the contextual names, which tracing uses as span names. The observations' names, which a meter handler
 * turns into timers, are {@code lockstep.commit} and {@code lockstep.branch}: the binder's own timers already carry
 * the names {@code lockstep.branch.prepare} and {@code lockstep.branch.commit} with other tags, and one name with two
 * sets of tag keys is refused by Prometheus.
 *
 * <p>Events reach the binder on Lockstep's event thread, after the fact (docs/operations.md), so a commit's trace is a
 * trace of its own, not a child of the application's current span, and its spans start and end when the events are
 * handled: shifted by the queue's delay, usually microseconds. The timers of {@link TransactionMeters} use the exact
 * durations the events carry. At most {@link #MAX_OPEN} commits are observed at once: a commit whose completion event
 * was dropped must not keep its observation forever.
 */
final class CommitObservations {

    static final int MAX_OPEN = 10_000;

    private final ObservationRegistry registry;
    private final Map<Long, Commit> open = new ConcurrentHashMap<>();

    /** One commit being observed, and its branch calls in flight by branch number. */
    private static final class Commit {
        final Observation observation;
        final Map<Integer, Observation> calls = new HashMap<>(4);

        Commit(Observation observation) {
            this.observation = observation;
        }
    }

    CommitObservations(ObservationRegistry registry) {
        this.registry = registry;
    }

    void on(TransactionEvent e) {
        if (registry.isNoop()) {
            return;
        }
        if (e instanceof CompletionStarted x) {
            if (x.cause() == CompletionCause.COMMIT && open.size() < MAX_OPEN) {
                Observation o = Observation.createNotStarted("lockstep.commit", registry)
                        .contextualName("lockstep.commit")
                        .lowCardinalityKeyValue("branches", String.valueOf(x.branches()))
                        .highCardinalityKeyValue("lockstep.tx", String.valueOf(x.txId()))
                        .start();
                open.put(x.txId(), new Commit(o));
            }
        } else if (e instanceof BranchCallStarted x) {
            Commit c = open.get(x.txId());
            if (c != null) {
                String phase = phase(x.call());
                c.calls.put(x.branch(), Observation.createNotStarted("lockstep.branch", registry)
                        .contextualName("lockstep.branch." + phase)
                        .parentObservation(c.observation)
                        .lowCardinalityKeyValue("phase", phase)
                        .lowCardinalityKeyValue("resource", x.resource())
                        .highCardinalityKeyValue("lockstep.branch", String.valueOf(x.branch()))
                        .start());
            }
        } else if (e instanceof PrepareVoted x) {
            stopCall(x.txId(), x.branch(), "vote", TransactionMeters.tagValue(x.vote()));
        } else if (e instanceof BranchFinished x) {
            stopCall(x.txId(), x.branch(), "result", TransactionMeters.tagValue(x.result()));
        } else if (e instanceof TransactionCompleted x) {
            Commit c = open.remove(x.txId());
            if (c != null) {
                c.calls.values().forEach(Observation::stop); // none, unless an answer's event was dropped
                c.observation.lowCardinalityKeyValue("outcome", TransactionMeters.tagValue(x.outcome())).stop();
            }
        }
    }

    private void stopCall(long txId, int branch, String key, String value) {
        Commit c = open.get(txId);
        Observation call = c == null ? null : c.calls.remove(branch);
        if (call != null) {
            call.lowCardinalityKeyValue(key, value).stop();
        }
    }

    private static String phase(BranchCall call) {
        return switch (call) {
            case PREPARE -> "prepare";
            case ONE_PHASE_COMMIT, COMMIT -> "commit";
            case ROLLBACK -> "rollback";
        };
    }
}
