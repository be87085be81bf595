package dev.lockstep.recoveryservice;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code GET /health}: {@link ServiceHealth} of the daemon's scans, 200 when UP and 503 when DOWN (what load
 * balancers and probes read). It reads the last scan's report only: a probe never waits for a scan or a resource.
 */
final class HealthEndpoint implements Endpoint {

    private final DaemonView daemon;
    private final Clock clock;
    private final Duration inDoubtAgeLimit;

    HealthEndpoint(DaemonView daemon, Clock clock, Duration inDoubtAgeLimit) {
        this.daemon = daemon;
        this.clock = clock;
        this.inDoubtAgeLimit = inDoubtAgeLimit;
    }

    @Override
    public HttpReply handle(HttpCall call) {
        Instant now = clock.instant();
        ServiceHealth health = ServiceHealth.of(daemon.scans(), now, inDoubtAgeLimit);
        return HttpReply.json(health.up() ? 200 : 503, health.json(now));
    }
}
