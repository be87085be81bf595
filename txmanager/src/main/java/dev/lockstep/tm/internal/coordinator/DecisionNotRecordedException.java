package dev.lockstep.tm.internal.coordinator;

import java.io.IOException;

/**
 * A decision store refused a record before any of its bytes could reach storage: the store had already failed or was
 * closed when the record was offered, or the record cannot be encoded. Only this failure lets a committer presume abort
 * and roll back its prepared branches. Any other failure of {@link DecisionStore#recordCommit} leaves the outcome
 * unknown, because the record may be durable (a write or force that failed after some bytes reached the disk, or a
 * force that succeeded before a later step of the same batch failed): then no prepared branch may be rolled back.
 */
public class DecisionNotRecordedException extends IOException {

    public DecisionNotRecordedException(String message, Throwable cause) {
        super(message, cause);
    }
}
