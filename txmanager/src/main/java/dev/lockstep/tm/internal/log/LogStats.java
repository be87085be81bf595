package dev.lockstep.tm.internal.log;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A snapshot of the writer's counters.
 *
 * @param forces forces of record data (batches and segment rolls); creating a segment is not counted
 * @param records records appended
 * @param bytesWritten framed record bytes written, relocated copies included
 * @param flushes completed writes of pending records, by reason (ROLL counts the forces of full segments)
 * @param segmentsCreated segments this incarnation started, new files and recycled ones
 * @param segmentsDeleted segment files this incarnation reclaimed and deleted
 * @param segmentsRecycled segments made of a reclaimed file renamed and written over instead of a new, zero-filled
 *     one (format version 3)
 * @param recordsRelocated COMMIT/HEURISTIC/END copies moved into a newer segment so an old one could go
 * @param liveDecisions decisions written and not yet ended or forgotten, as of the last write
 * @param segmentFiles this incarnation's segment files on disk
 * @param reclaimFailures reclamations that failed after a successful force (logged as TmMessage.RECLAIM_FAILED,
 *     tried again later)
 */
public record LogStats(long forces, long records, long bytesWritten, Map<FlushReason, Long> flushes,
        long segmentsCreated, long segmentsDeleted, long segmentsRecycled, long recordsRelocated, long liveDecisions,
        long segmentFiles, long reclaimFailures) {

    public LogStats {
        flushes = Collections.unmodifiableMap(new EnumMap<>(flushes));
    }

    /** Flushes for one reason. */
    public long flushes(FlushReason reason) {
        return flushes.getOrDefault(reason, 0L);
    }
}
