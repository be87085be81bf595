package dev.lockstep.spring.boot;

import dev.lockstep.tm.Lockstep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The health indicator {@code lockstep}. Its status says whether this node can decide transactions; its details say
 * what needs a human. The mapping (docs/operations.md, "Spring Boot Actuator"):
 *
 * <ul>
 *   <li><b>DOWN</b> when no decision can be recorded: the file log failed a write or a force
 *   (TmMessage.LOG_FAILED), the database store's lease was lost (TmMessage.LEASE_LOST), or Lockstep is closed. Every
 *   two-phase commit fails until the process restarts, so an orchestrator should restart it or take it out of
 *   service, and that is what DOWN tells it.
 *   <li><b>UP</b> otherwise, with an {@code attention} detail when heuristic outcomes wait for an operator, or when a
 *   prepared branch has waited for phase two longer than {@code lockstep.health.in-doubt-threshold}, or when the last
 *   recovery scan could not reach a resource. Neither a restart nor another instance fixes those (the resource, or an
 *   operator with the recovery service, does), and taking every node that shares the resource out of service would
 *   turn one stuck branch into an outage: they are for alerts, not for the load balancer.
 * </ul>
 *
 * <p>Details never carry a password: free text is masked by the {@link SecretRedactor}.
 */
public final class LockstepHealthIndicator extends AbstractHealthIndicator {

    private final Lockstep lockstep;
    private final ObjectProvider<LockstepRecovery> recovery;
    private final SecretRedactor redactor;
    private final Duration inDoubtThreshold;

    LockstepHealthIndicator(Lockstep lockstep, ObjectProvider<LockstepRecovery> recovery, SecretRedactor redactor,
            Duration inDoubtThreshold) {
        super("Lockstep health check failed");
        this.lockstep = Objects.requireNonNull(lockstep, "lockstep");
        this.recovery = recovery;
        this.redactor = redactor;
        this.inDoubtThreshold = inDoubtThreshold;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        LockstepReport r = LockstepReport.of(lockstep, recovery.getIfAvailable(), redactor);
        if (r.problem() != null) {
            builder.down().withDetail("problem", r.problem());
        } else {
            builder.up();
        }
        builder.withDetail("node", r.node()).withDetail("incarnation", r.incarnation())
                .withDetail("decisionStore", r.decisionStore())
                .withDetail("transactionsInFlight", r.transactions().size())
                .withDetail("branchesRetrying", r.retrying().size());
        long heuristics = r.heuristicsUnresolved();
        builder.withDetail("heuristics", heuristics);
        List<String> attention = new ArrayList<>();
        if (heuristics > 0) {
            attention.add(StarterMessage.HEURISTICS_PRESENT + " " + heuristics + " heuristic outcome(s) wait for an "
                    + "operator: list them with GET /actuator/lockstep or the recovery service's 'list', and resolve "
                    + "them with its 'resolve' (docs/recovery-service.md)");
        }
        if (r.oldestInDoubtSince() != null) {
            Duration age = Duration.ofMillis(r.oldestInDoubtMillis());
            Map<String, Object> oldest = new LinkedHashMap<>();
            oldest.put("since", r.oldestInDoubtSince().toString());
            oldest.put("ageSeconds", age.toSeconds());
            oldest.put("thresholdSeconds", inDoubtThreshold.toSeconds());
            builder.withDetail("oldestInDoubt", oldest);
            if (age.compareTo(inDoubtThreshold) > 0) {
                attention.add(StarterMessage.IN_DOUBT_TOO_LONG + " a prepared branch has waited for phase two since "
                        + r.oldestInDoubtSince() + " (" + age.toSeconds() + " s, more than lockstep.health."
                        + "in-doubt-threshold=" + inDoubtThreshold.toSeconds() + " s): see which one and why with GET "
                        + "/actuator/lockstep; usually its resource is down");
            }
        }
        if (r.recovery() != null) {
            Map<String, Object> scan = new LinkedHashMap<>();
            scan.put("at", r.recovery().startedAt().toString());
            scan.put("inDoubt", r.recovery().inDoubt().size());
            scan.put("unreachable", r.recovery().unreachable().stream().map(LockstepReport.Unreachable::resource)
                    .toList());
            builder.withDetail("lastRecoveryScan", scan);
            if (!r.recovery().unreachable().isEmpty()) {
                attention.add(StarterMessage.RESOURCE_UNREACHABLE + " the last recovery scan could not reach "
                        + scan.get("unreachable") + ": check that they are up and that their users may recover");
            }
        }
        if (!attention.isEmpty()) {
            builder.withDetail("attention", attention);
        }
    }
}
