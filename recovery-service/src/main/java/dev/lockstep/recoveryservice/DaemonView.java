package dev.lockstep.recoveryservice;

import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.ScanReport;
import dev.lockstep.tm.recovery.Verdict;
import java.util.List;

/**
 * What the HTTP side's endpoints need of the running daemon; {@code run} gives its own recovery and scans, a test a
 * fake. Every method may be called from several HTTP threads while the daemon scans.
 */
interface DaemonView {

    /** What is unfinished now, as {@code list} reports it ({@link dev.lockstep.tm.recovery.Recovery#inspect()}). */
    ScanReport inspect();

    /** An operator's decision ({@link dev.lockstep.tm.recovery.Recovery#resolve}), refusals included. */
    List<RecoveryAction> resolve(String gtridHex, Verdict verdict);

    /** How the daemon's scans went so far. */
    ScanState scans();
}
