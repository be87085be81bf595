package dev.lockstep.recoveryservice;

import dev.lockstep.tm.recovery.ScanReport;
import java.time.Duration;
import java.time.Instant;

/**
 * How the daemon's scans went, for {@code /health}: the last report and when its scan ended, and the last failure
 * of a scan (a scan that threw), if it came after.
 *
 * @param since when the daemon started
 * @param scanInterval the configured time between scans
 * @param lastReport the last scan's report, or null before the first one
 * @param lastScanEnded when that scan ended, or null
 * @param lastFailure what the last scan that threw said, or null if the last scan did not throw
 */
record ScanState(Instant since, Duration scanInterval, ScanReport lastReport, Instant lastScanEnded,
        String lastFailure) {

    ScanState scanned(ScanReport report, Instant ended) {
        return new ScanState(since, scanInterval, report, ended, null);
    }

    ScanState failed(String failure) {
        return new ScanState(since, scanInterval, lastReport, lastScanEnded, failure);
    }
}
