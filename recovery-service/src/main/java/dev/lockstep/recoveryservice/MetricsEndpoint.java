package dev.lockstep.recoveryservice;

import java.util.Map;

/**
 * {@code GET /metrics}: {@link ServiceMetrics} in the Prometheus text format, for a Prometheus server to scrape. No
 * token, like {@code /health}: it holds counts, timings and resource names, never a secret.
 */
final class MetricsEndpoint implements Endpoint {

    private final ServiceMetrics metrics;

    MetricsEndpoint(ServiceMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public HttpReply handle(HttpCall call) {
        return HttpReply.text(200, ServiceMetrics.CONTENT_TYPE, metrics.scrape());
    }
}
