package dev.lockstep.tm.messages;

/**
 * One entry of a module's message catalogue: the number behind its {@code LKS-nnn} id, what the condition means and
 * what the user or operator should do about it. Implemented by each module's catalogue enum, whose
 * {@code toString()} is the id, so that {@code TmMessage.OUTCOME_UNKNOWN + " the outcome of ..."} starts the message
 * with the id of that condition.
 */
public interface MessageId {

    /**
     * The three facts of a catalogue entry, held by each enum constant (an enum cannot inherit fields, so the
     * catalogues share this record instead of restating them).
     */
    record Entry(int number, String meaning, String action) {
    }

    /** This entry's facts. */
    Entry entry();

    /** The number of the id, inside the module's {@link MessageRange}. */
    default int number() {
        return entry().number();
    }

    /** What happened, in one line. */
    default String meaning() {
        return entry().meaning();
    }

    /** What the user or operator should do, in one line. */
    default String action() {
        return entry().action();
    }

    /** The id as messages, logs and docs print it: {@code LKS-} and three digits. */
    default String id() {
        return id(number());
    }

    static String id(int number) {
        return String.format("LKS-%03d", number);
    }
}
