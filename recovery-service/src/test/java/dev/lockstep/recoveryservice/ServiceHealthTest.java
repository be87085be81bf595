package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.log.HeuristicOutcome;
import dev.lockstep.tm.recovery.InDoubtTransaction;
import dev.lockstep.tm.recovery.ScanReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each check of /health on its own, as a function of the scans' state and the time. */
class ServiceHealthTest {

    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private static final Duration LIMIT = Duration.ofMinutes(5);

    private static ScanState state(ScanReport last, Instant ended, String failure) {
        return new ScanState(NOW.minusSeconds(3600), Duration.ofSeconds(10), last, ended, failure);
    }

    private static ScanReport report(List<InDoubtTransaction> inDoubt, List<String> logProblems) {
        return new ScanReport(NOW, Duration.ofMillis(3), List.of(), List.of(), inDoubt, logProblems);
    }

    private static ServiceHealth.HealthCheck check(ServiceHealth h, String name) {
        return h.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void upWhenTheLastScanIsRecentAndClean() {
        ServiceHealth h = ServiceHealth.of(state(report(List.of(), List.of()), NOW.minusSeconds(5), null), NOW, LIMIT);
        assertTrue(h.up(), h.toString());
        assertEquals(List.of("decisionLog", "lastScan", "heuristics", "inDoubtAge"),
                h.checks().stream().map(ServiceHealth.HealthCheck::name).toList());
    }

    @Test
    void downBeforeTheFirstScan() {
        ServiceHealth h = ServiceHealth.of(state(null, null, null), NOW, LIMIT);
        assertFalse(h.up());
        assertTrue(check(h, "lastScan").detail().contains("no scan has finished"), h.toString());
    }

    @Test
    void downWhenTheLastScanFailedOrIsStale() {
        ScanReport clean = report(List.of(), List.of());
        ServiceHealth failed = ServiceHealth.of(state(clean, NOW.minusSeconds(5), "java.lang.IllegalStateException: x"),
                NOW, LIMIT);
        assertFalse(check(failed, "lastScan").up());
        assertTrue(check(failed, "lastScan").detail().contains("IllegalStateException"));
        // 3 intervals of 10 s are less than the minute every daemon is allowed
        assertTrue(ServiceHealth.of(state(clean, NOW.minusSeconds(59), null), NOW, LIMIT).up());
        ServiceHealth stale = ServiceHealth.of(state(clean, NOW.minusSeconds(61), null), NOW, LIMIT);
        assertFalse(stale.up());
        assertTrue(check(stale, "lastScan").detail().contains("61s ago"), check(stale, "lastScan").detail());
    }

    @Test
    void downWhenALogCannotBeUsed() {
        ServiceHealth h = ServiceHealth.of(state(report(List.of(), List.of("LKS-205 corrupt")), NOW, null), NOW,
                LIMIT);
        assertFalse(check(h, "decisionLog").up());
        assertTrue(check(h, "decisionLog").detail().contains("LKS-205 corrupt"));
    }

    @Test
    void downWhenAHeuristicWaitsOrATransactionIsInDoubtTooLong() {
        InDoubtTransaction young = AdminServerTest.tx(NOW.minusSeconds(60), List.of());
        ServiceHealth fine = ServiceHealth.of(state(report(List.of(young), List.of()), NOW, null), NOW, LIMIT);
        assertTrue(fine.up(), "in doubt for a minute is recovery at work: " + fine);

        InDoubtTransaction old = AdminServerTest.tx(NOW.minus(LIMIT).minusSeconds(1), List.of());
        ServiceHealth tooOld = ServiceHealth.of(state(report(List.of(young, old), List.of()), NOW, null), NOW, LIMIT);
        assertFalse(check(tooOld, "inDoubtAge").up());
        assertTrue(check(tooOld, "inDoubtAge").detail().contains("301s ago"), check(tooOld, "inDoubtAge").detail());
        assertTrue(check(tooOld, "heuristics").up());

        InDoubtTransaction heuristic = AdminServerTest.tx(NOW.minusSeconds(60), List.of(
                new InDoubtTransaction.Heuristic("orders-db", "00000001", HeuristicOutcome.HAZARD, NOW)));
        ServiceHealth h = ServiceHealth.of(state(report(List.of(heuristic), List.of()), NOW, null), NOW, LIMIT);
        assertFalse(h.up());
        assertFalse(check(h, "heuristics").up());
        assertTrue(check(h, "inDoubtAge").up());
    }
}
