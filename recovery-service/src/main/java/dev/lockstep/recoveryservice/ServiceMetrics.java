package dev.lockstep.recoveryservice;

import dev.lockstep.metrics.LockstepMeterBinder;
import dev.lockstep.tm.recovery.RecoveryListener;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The daemon's meters for {@code GET /metrics}: lockstep-metrics' {@link LockstepMeterBinder} as a listener of the
 * daemon's recovery (scan timings, actions, in-doubt count and oldest age, heuristics) and the JVM's basics (memory,
 * threads, classes, CPU, uptime: binders that only read MXBeans when scraped), in a Prometheus registry that renders
 * them in the text format. Nothing of the configuration is a tag, so no secret can show.
 *
 * <p>The binder's transaction meters (commits, branches, the log's forces) are left out: the service runs no
 * transaction, and a dashboard should not read their zeros as an idle application.
 */
final class ServiceMetrics {

    /** The Prometheus text exposition format, version 0.0.4: what every Prometheus server scrapes. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** The binder's meters that recovery feeds; see docs/operations.md. */
    private static final java.util.regex.Pattern RECOVERY_METERS = java.util.regex.Pattern.compile(
            "lockstep\\.(recovery|indoubt)\\..+|lockstep\\.heuristics");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final LockstepMeterBinder recovery = new LockstepMeterBinder();

    ServiceMetrics() {
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().startsWith("lockstep.")
                && !RECOVERY_METERS.matcher(id.getName()).matches()));
        recovery.bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** What the daemon's recovery tells, for the recovery meters. */
    RecoveryListener listener() {
        return recovery;
    }

    /** Every meter in the Prometheus text format. */
    String scrape() {
        return registry.scrape();
    }
}
