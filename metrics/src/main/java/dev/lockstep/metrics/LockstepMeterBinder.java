package dev.lockstep.metrics;

import dev.lockstep.tm.events.TransactionEvent;
import dev.lockstep.tm.events.TransactionListener;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.RecoveryListener;
import dev.lockstep.tm.recovery.ScanReport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Lockstep's transactions and recovery as Micrometer meters, and each commit as an Observation (a trace under
 * Micrometer Tracing). It is a {@link TransactionListener} for a {@code Lockstep} and a {@link RecoveryListener} for a
 * {@code Recovery}, and a {@link MeterBinder} for the registries that publish the meters:
 *
 * <pre>{@code
 * LockstepMeterBinder metrics = new LockstepMeterBinder(observationRegistry);
 * metrics.bindTo(meterRegistry);
 * Lockstep lockstep = Lockstep.builder().nodeId("orders-1").logDirectory(dir).listener(metrics).build();
 * Recovery recovery = Recovery.builder()...listener(metrics).build();   // optional: the in-doubt gauges
 * }</pre>
 *
 * <p>The meters follow Micrometer's naming (dot-separated, lower case; registries render them their way, e.g.
 * {@code lockstep_transactions_total} in Prometheus): {@code lockstep.transactions} by outcome, {@code
 * lockstep.commit.duration}, {@code lockstep.branch.prepare} and {@code lockstep.branch.commit} by resource, {@code
 * lockstep.log.force}, {@code lockstep.log.batch.size}, the gauges {@code lockstep.transactions.active}, {@code
 * lockstep.branches.retrying} and {@code lockstep.indoubt.oldest.age}, and {@code lockstep.heuristics};
 * docs/operations.md ("Events and metrics") describes each with its type, tags and meaning. The observations are
 * described in {@link CommitObservations}.
 *
 * <p>Lockstep calls a listener on its event thread, so the work done here never delays a commit. Give each
 * {@code Lockstep} its own binder, with a tag that tells them apart if they share a registry: transaction ids are
 * unique only within one. The two gauges fed by events drift if events are dropped ({@code Lockstep.droppedEvents()}).
 */
public final class LockstepMeterBinder implements MeterBinder, TransactionListener, RecoveryListener {

    /** The meters of one registry this binder was bound to. */
    private record Bound(TransactionMeters transactions, RecoveryMeters recovery) {
    }

    private final Tags tags;
    private final List<Bound> bound = new CopyOnWriteArrayList<>();
    private final CommitObservations observations;

    /** Meters only, no observations. */
    public LockstepMeterBinder() {
        this(ObservationRegistry.NOOP, Tags.empty());
    }

    /** Meters, and an observation per commit in {@code observations}. */
    public LockstepMeterBinder(ObservationRegistry observations) {
        this(observations, Tags.empty());
    }

    /** As above, with {@code tags} on every meter (e.g. {@code node}, when several Lockstep share a registry). */
    public LockstepMeterBinder(ObservationRegistry observations, Iterable<Tag> tags) {
        this.observations = new CommitObservations(
                Objects.requireNonNull(observations, "observations: ObservationRegistry.NOOP for none"));
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    /**
     * Registers the meters in {@code registry}; may be called for several registries. What happened before is not
     * counted there. The in-doubt age is measured on the registry's clock.
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        TransactionMeters transactions = new TransactionMeters(registry, tags);
        bound.add(new Bound(transactions, new RecoveryMeters(registry, tags, transactions.heuristics())));
    }

    @Override
    public void onEvent(TransactionEvent event) {
        for (Bound b : bound) {
            b.transactions.on(event);
        }
        observations.on(event);
    }

    @Override
    public void onAction(RecoveryAction action) {
        for (Bound b : bound) {
            b.recovery.action(action);
        }
    }

    @Override
    public void scanFinished(ScanReport report) {
        for (Bound b : bound) {
            b.recovery.scanFinished(report);
        }
    }

    @Override
    public String toString() {
        return "LockstepMeterBinder" + tags;
    }
}
