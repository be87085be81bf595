package dev.lockstep.tm.log;

/**
 * One record of the decision log. The set is closed: {@link RecordCodec} knows every kind and the reader's rules
 * (docs/design.md invariants 1, 7 and 9) depend on exactly these four.
 */
public sealed interface LogRecord permits CommitRecord, EndRecord, HeuristicRecord, ForgetRecord {

    /** The global transaction id this record belongs to (a copy). */
    byte[] gtrid();

    /** The global transaction id as a map key. */
    default Gtrid key() {
        return Gtrid.ofTrusted(Bytes.rawGtrid(this));
    }
}
