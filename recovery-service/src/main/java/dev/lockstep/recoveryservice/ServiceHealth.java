package dev.lockstep.recoveryservice;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.tm.recovery.InDoubtTransaction;
import dev.lockstep.tm.recovery.ScanReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What {@code GET /health} answers: UP, or DOWN with the reasons, from four checks of the daemon's last scan.
 *
 * <ul>
 * <li>{@code decisionLog}: every log was readable (no log problem);</li>
 * <li>{@code lastScan}: a scan finished, the last one did not throw, and it is not older than three scan intervals
 * (at least a minute): a scan that hangs shows here;</li>
 * <li>{@code heuristics}: no heuristic outcome waits for an operator;</li>
 * <li>{@code inDoubtAge}: no transaction has been in doubt longer than {@code http.health.in.doubt.age} since it
 * began.</li>
 * </ul>
 * A pure function of the {@link ScanState} and the time, so each check is tested without a daemon.
 *
 * @param up true if every check passed
 * @param checks each check, in the order above
 */
record ServiceHealth(boolean up, List<HealthCheck> checks) {

    /** One check: its name, whether it passed, and what it saw, in words. */
    record HealthCheck(String name, boolean up, String detail) {
    }

    static ServiceHealth of(ScanState s, Instant now, Duration inDoubtAgeLimit) {
        List<HealthCheck> checks = new ArrayList<>();
        ScanReport r = s.lastReport();
        if (r == null) {
            checks.add(new HealthCheck("decisionLog", false, "not read yet: no scan has finished since the daemon "
                    + "started at " + Logfmt.ts(s.since())));
        } else {
            checks.add(r.logProblems().isEmpty() ? new HealthCheck("decisionLog", true, "every log was readable")
                    : new HealthCheck("decisionLog", false, r.logProblems().size() + " log(s) cannot be used: "
                    + String.join("; ", r.logProblems())));
        }
        checks.add(lastScan(s, now));
        if (r != null) {
            long heuristics = r.inDoubt().stream().mapToLong(t -> t.heuristics().size()).sum();
            checks.add(heuristics == 0 ? new HealthCheck("heuristics", true, "none")
                    : new HealthCheck("heuristics", false, heuristics + " heuristic outcome(s) wait for an operator: "
                    + "list them with GET /api/in-doubt and decide with POST /api/resolve"));
            checks.add(inDoubtAge(r, now, inDoubtAgeLimit));
        }
        return new ServiceHealth(checks.stream().allMatch(HealthCheck::up), List.copyOf(checks));
    }

    private static HealthCheck lastScan(ScanState s, Instant now) {
        if (s.lastFailure() != null) {
            return new HealthCheck("lastScan", false, "the last scan failed: " + s.lastFailure());
        }
        if (s.lastScanEnded() == null) {
            return new HealthCheck("lastScan", false, "no scan has finished since the daemon started at "
                    + Logfmt.ts(s.since()));
        }
        Duration stale = s.scanInterval().multipliedBy(3);
        if (stale.compareTo(Duration.ofMinutes(1)) < 0) {
            stale = Duration.ofMinutes(1);
        }
        Duration age = Duration.between(s.lastScanEnded(), now);
        if (age.compareTo(stale) > 0) {
            return new HealthCheck("lastScan", false, "the last scan ended " + Durations.format(age.withNanos(0))
                    + " ago, more than " + Durations.format(stale) + ": a scan may hang (an unresponsive resource)");
        }
        return new HealthCheck("lastScan", true, "ended at " + Logfmt.ts(s.lastScanEnded()));
    }

    private static HealthCheck inDoubtAge(ScanReport r, Instant now, Duration limit) {
        InDoubtTransaction oldest = r.inDoubt().stream().min(Comparator.comparing(InDoubtTransaction::begin))
                .orElse(null);
        if (oldest == null) {
            return new HealthCheck("inDoubtAge", true, "nothing in doubt");
        }
        Duration age = Duration.between(oldest.begin(), now);
        String what = "the oldest in doubt, " + ReportPrinter.shortId(oldest) + ", began "
                + Durations.format(age.isNegative() ? Duration.ZERO : age.withNanos(0)) + " ago";
        return age.compareTo(limit) > 0
                ? new HealthCheck("inDoubtAge", false, what + ", more than " + HttpSettings.IN_DOUBT_AGE + " = "
                        + Durations.format(limit) + ": " + oldest.waitingFor())
                : new HealthCheck("inDoubtAge", true, what);
    }

    /** The JSON of {@code /health}. */
    String json(Instant now) {
        ObjectNode root = HttpReply.JSON.createObjectNode().put("status", up ? "UP" : "DOWN")
                .put("checkedAt", Logfmt.ts(now));
        ObjectNode byName = root.putObject("checks");
        for (HealthCheck c : checks) {
            byName.putObject(c.name()).put("status", c.up() ? "UP" : "DOWN").put("detail", c.detail());
        }
        var reasons = root.putArray("reasons");
        checks.stream().filter(c -> !c.up()).forEach(c -> reasons.add(c.name() + ": " + c.detail()));
        return HttpReply.write(root);
    }
}
