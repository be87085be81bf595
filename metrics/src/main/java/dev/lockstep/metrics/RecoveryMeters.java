package dev.lockstep.metrics;

import dev.lockstep.tm.recovery.InDoubtTransaction;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.ScanReport;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The meters of recovery (docs/operations.md, "Events and metrics"): what each scan found still in doubt (how many,
 * and the age of the oldest, which grows between scans), how long scans take, and what they did. Without a recovery
 * listening the gauges stay 0.
 */
final class RecoveryMeters {

    /** No transaction in doubt after the last scan. */
    private static final long NONE = Long.MIN_VALUE;

    private final MeterRegistry registry;
    private final Tags tags;
    private final Clock clock;
    private final Counter heuristics;
    private final Timer scans;
    private final Map<String, Counter> actions = new ConcurrentHashMap<>();
    private volatile long oldestBeginMillis = NONE;
    private volatile int inDoubt;

    RecoveryMeters(MeterRegistry registry, Tags tags, Counter heuristics) {
        this.registry = registry;
        this.tags = tags;
        this.clock = registry.config().clock();
        this.heuristics = heuristics;
        this.scans = Timer.builder("lockstep.recovery.scan").tags(tags)
                .description("One recovery scan: ask the resources, read the logs, finish what can be finished")
                .register(registry);
        Gauge.builder("lockstep.indoubt.oldest.age", this, RecoveryMeters::oldestAgeSeconds).tags(tags)
                .baseUnit("seconds")
                .description("Age of the oldest transaction the last recovery scan left in doubt; 0 if none")
                .register(registry);
        Gauge.builder("lockstep.indoubt.transactions", this, m -> m.inDoubt).tags(tags)
                .description("Transactions the last recovery scan left in doubt (heuristics included)")
                .register(registry);
    }

    void scanFinished(ScanReport report) {
        long oldest = NONE;
        for (InDoubtTransaction tx : report.inDoubt()) {
            long begin = tx.begin().toEpochMilli();
            if (oldest == NONE || begin < oldest) {
                oldest = begin;
            }
        }
        oldestBeginMillis = oldest;
        inDoubt = report.inDoubt().size();
        scans.record(report.took());
    }

    void action(RecoveryAction a) {
        String kind = TransactionMeters.tagValue(a.kind());
        String key = kind + (a.ok() ? "/ok" : "/not_done");
        actions.computeIfAbsent(key, k -> Counter.builder("lockstep.recovery.actions").tags(tags).tag("kind", kind)
                .tag("ok", String.valueOf(a.ok()))
                .description("Recovery's actions, by kind, done or not done (a failed recover_scan: the resource "
                        + "was unreachable)")
                .register(registry)).increment();
        if (a.kind() == RecoveryAction.Kind.HEURISTIC) {
            heuristics.increment();
        }
    }

    private double oldestAgeSeconds() {
        long oldest = oldestBeginMillis;
        return oldest == NONE ? 0 : Math.max(0, clock.wallTime() - oldest) / 1000.0;
    }
}
