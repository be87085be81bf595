package dev.lockstep.metrics;

import dev.lockstep.tm.events.TransactionEvent;
import dev.lockstep.tm.events.TransactionEvent.BranchCall;
import dev.lockstep.tm.events.TransactionEvent.BranchFinished;
import dev.lockstep.tm.events.TransactionEvent.BranchResult;
import dev.lockstep.tm.events.TransactionEvent.BranchRetried;
import dev.lockstep.tm.events.TransactionEvent.CompletionCause;
import dev.lockstep.tm.events.TransactionEvent.HeuristicReported;
import dev.lockstep.tm.events.TransactionEvent.LogForced;
import dev.lockstep.tm.events.TransactionEvent.PrepareVoted;
import dev.lockstep.tm.events.TransactionEvent.TransactionBegun;
import dev.lockstep.tm.events.TransactionEvent.TransactionCompleted;
import dev.lockstep.tm.events.TransactionEvent.TransactionOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of the transaction events (docs/operations.md, "Events and metrics", has the table): counters and timers
 * fed with the durations each event carries, and the two gauges that events keep up to date (active transactions,
 * branches waiting for a retry). One per registry the binder was bound to.
 */
final class TransactionMeters {

    private static final Map<Enum<?>, String> TAG_VALUES = new ConcurrentHashMap<>();

    private final MeterRegistry registry;
    private final Tags tags;
    private final Map<TransactionOutcome, Counter> transactions = new EnumMap<>(TransactionOutcome.class);
    private final Map<TransactionOutcome, Timer> commits = new EnumMap<>(TransactionOutcome.class);
    /** By resource, then by vote or result. */
    private final Map<String, Map<String, Timer>> prepareTimers = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Timer>> commitTimers = new ConcurrentHashMap<>();
    private final Timer logForce;
    private final DistributionSummary logBatch;
    private final Counter heuristics;
    private final AtomicLong active = new AtomicLong();
    private final AtomicLong retrying = new AtomicLong();

    TransactionMeters(MeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
        for (TransactionOutcome o : TransactionOutcome.values()) {
            transactions.put(o, Counter.builder("lockstep.transactions").tags(tags).tag("outcome", tagValue(o))
                    .description("Transactions completed, by outcome").register(registry));
            commits.put(o, Timer.builder("lockstep.commit.duration").tags(tags).tag("outcome", tagValue(o))
                    .description("commit() from its start to the end of the afterCompletion callbacks")
                    .register(registry));
        }
        logForce = Timer.builder("lockstep.log.force").tags(tags)
                .description("Write and force of one batch of the decision log (group commit)").register(registry);
        logBatch = DistributionSummary.builder("lockstep.log.batch.size").tags(tags).baseUnit("records")
                .description("Records written and forced together in one batch").register(registry);
        heuristics = Counter.builder("lockstep.heuristics").tags(tags)
                .description("Branches that ended with a heuristic outcome; each stays in the log until resolved")
                .register(registry);
        Gauge.builder("lockstep.transactions.active", active, AtomicLong::get).tags(tags)
                .description("Transactions begun and not yet completed").register(registry);
        Gauge.builder("lockstep.branches.retrying", retrying, AtomicLong::get).tags(tags)
                .description("Branches whose phase two the background retrier is still trying to finish")
                .register(registry);
    }

    Counter heuristics() {
        return heuristics;
    }

    /** The tag value of an enum constant (its name in lower case), computed once per constant. */
    static String tagValue(Enum<?> e) {
        String v = TAG_VALUES.get(e);
        return v != null ? v : TAG_VALUES.computeIfAbsent(e, k -> k.name().toLowerCase(Locale.ROOT));
    }

    void on(TransactionEvent e) {
        if (e instanceof TransactionBegun) {
            active.incrementAndGet();
        } else if (e instanceof TransactionCompleted x) {
            active.decrementAndGet();
            transactions.get(x.outcome()).increment();
            if (x.cause() == CompletionCause.COMMIT) {
                commits.get(x.outcome()).record(x.completionNanos(), TimeUnit.NANOSECONDS);
            }
        } else if (e instanceof PrepareVoted x) {
            branchTimer(prepareTimers, "lockstep.branch.prepare", "prepare of one branch, by resource and vote",
                    x.resource(), "vote", tagValue(x.vote()))
                    .record(x.nanos(), TimeUnit.NANOSECONDS);
        } else if (e instanceof BranchFinished x) {
            if (x.call() != BranchCall.ROLLBACK) {
                branchTimer(commitTimers, "lockstep.branch.commit",
                        "commit of one branch (one-phase or after the decision), by resource and result",
                        x.resource(), "result", tagValue(x.result()))
                        .record(x.nanos(), TimeUnit.NANOSECONDS);
            }
            if (x.result() == BranchResult.RETRY) {
                retrying.incrementAndGet();
            }
        } else if (e instanceof BranchRetried x) {
            if (x.result() != BranchResult.RETRY) {
                retrying.decrementAndGet();
            }
        } else if (e instanceof LogForced x) {
            logForce.record(x.nanos(), TimeUnit.NANOSECONDS);
            logBatch.record(x.records());
        } else if (e instanceof HeuristicReported) {
            heuristics.increment();
        }
    }

    /** The timer {@code name} of {@code resource} and {@code key=value}, from {@code timers} (by resource, value). */
    private Timer branchTimer(Map<String, Map<String, Timer>> timers, String name, String description,
            String resource, String key, String value) {
        // Two lookups without building a key: this runs for every branch of every transaction.
        Map<String, Timer> byValue = timers.get(resource);
        Timer t = byValue == null ? null : byValue.get(value);
        if (t == null) {
            t = timers.computeIfAbsent(resource, r -> new ConcurrentHashMap<>())
                    .computeIfAbsent(value, v -> Timer.builder(name).tags(tags).tag("resource", resource).tag(key, v)
                            .description(description).register(registry));
        }
        return t;
    }
}
