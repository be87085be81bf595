package dev.lockstep.bench.micro;

import dev.lockstep.metrics.LockstepMeterBinder;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.LockstepMetrics;
import dev.lockstep.tm.spi.NamedXAResource;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.transaction.xa.XAResource;

/**
 * Lockstep with its decision log on local disk, every setting at its default (or parallelPhases off), and, for the
 * "lockstep-metrics" adapter, lockstep-metrics' binder as its listener.
 */
public final class LockstepSystem implements TxSystem {

    private final Lockstep lockstep;
    private final Path logDirectory;
    private final boolean parallelPhases;
    private final SimpleMeterRegistry meters;

    /** Which of lockstep-metrics' binder, if any, listens. */
    public enum Listening { NONE, METERS, METERS_AND_OBSERVATIONS }

    private final Listening listening;

    public LockstepSystem(Path dir, boolean parallelPhases, Listening listening) {
        this.listening = listening;
        this.logDirectory = dir.resolve("lockstep-log");
        this.parallelPhases = parallelPhases;
        Lockstep.Builder b = Lockstep.builder().nodeId("bench").logDirectory(logDirectory)
                .parallelPhases(parallelPhases);
        if (listening != Listening.NONE) {
            meters = new SimpleMeterRegistry();
            ObservationRegistry observations = ObservationRegistry.NOOP;
            if (listening == Listening.METERS_AND_OBSERVATIONS) {
                observations = ObservationRegistry.create();
                observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
            }
            LockstepMeterBinder binder = new LockstepMeterBinder(observations);
            binder.bindTo(meters);
            b.listener(binder);
        } else {
            meters = null;
        }
        this.lockstep = b.build();
    }

    @Override
    public XAResource[] adopt(CountingXAResource[] resources) {
        XAResource[] named = new XAResource[resources.length];
        for (int i = 0; i < resources.length; i++) {
            named[i] = NamedXAResource.wrap(resources[i].name(), resources[i]);
        }
        return named;
    }

    @Override
    public void transaction(XAResource[] resources) throws Exception {
        JtaTransactions.run(lockstep.transactionManager(), resources);
    }

    @Override
    public Map<String, String> configuration() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("builder", "Lockstep.builder().nodeId(\"bench\").logDirectory(" + logDirectory + ")"
                + (parallelPhases ? "" : ".parallelPhases(false)") + ".build(), every other setting at its default "
                + "(README 'Settings': parallelPhases=true, phaseThreads=8, logSegmentBytes=16 MiB, "
                + "groupCommitMaxBatchBytes=1 MiB, groupCommitMaxWait=0)");
        c.put("resources", "NamedXAResource.wrap(name, resource)");
        if (meters != null) {
            c.put("listener", listening == Listening.METERS ? "new LockstepMeterBinder(), bound to a SimpleMeterRegistry"
                    : "new LockstepMeterBinder(observations), bound to a SimpleMeterRegistry; observations timed by a "
                    + "DefaultMeterObservationHandler on the same registry");
        }
        c.put("log", "decision log forced before phase two (always on; there is no switch to turn it off)");
        return c;
    }

    @Override
    public Map<String, Long> counters() {
        LockstepMetrics m = lockstep.metrics();
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("committed", m.committed());
        c.put("committedOnePhase", m.committedOnePhase());
        c.put("committedReadOnly", m.committedReadOnly());
        c.put("rolledBack", m.rolledBack());
        c.put("logForces", m.logForces());
        c.put("logRecords", m.logRecords());
        c.put("logBytes", m.logBytes());
        if (meters != null) {
            c.put("droppedEvents", lockstep.droppedEvents());
        }
        return c;
    }

    @Override
    public void close() {
        lockstep.close();
    }
}
