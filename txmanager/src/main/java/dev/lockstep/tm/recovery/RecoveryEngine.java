package dev.lockstep.tm.recovery;

import java.util.List;

/** The algorithm of {@link Recovery}. */
final class RecoveryEngine {

    RecoveryEngine(Recovery.Builder b) {
    }

    ScanReport scan() {
        throw new UnsupportedOperationException("being written");
    }

    ScanReport inspect() {
        throw new UnsupportedOperationException("being written");
    }

    List<RecoveryAction> resolve(String gtridHex, Verdict verdict) {
        throw new UnsupportedOperationException("being written");
    }

    void close() {
    }
}
