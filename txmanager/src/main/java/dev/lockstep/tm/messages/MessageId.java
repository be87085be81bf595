package dev.lockstep.tm.messages;

/**
 * One entry of a module's message catalogue: the number behind its {@code LKS-nnn} id, what the condition means and
 * what the user or operator should do about it. Implemented by each module's catalogue enum, whose
 * {@code toString()} is the id, so that {@code TmMessage.OUTCOME_UNKNOWN + " the outcome of ..."} starts the message
 * with the id of that condition.
 */
public interface MessageId {

    /** The number of the id, inside the module's {@link MessageRange}. */
    int number();

    /** What happened, in one line. */
    String meaning();

    /** What the user or operator should do, in one line. */
    String action();

    /** The id as messages, logs and docs print it: {@code LKS-} and three digits. */
    default String id() {
        return id(number());
    }

    static String id(int number) {
        return String.format("LKS-%03d", number);
    }
}
