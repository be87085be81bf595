package dev.lockstep.hibernate;

import dev.lockstep.tm.messages.MessageId;

/**
 * The message ids of the Hibernate integration, {@code LKS-500} to {@code LKS-549} (were LKS-H01 and LKS-H02). Each id
 * names one condition, with what it means and what to do; docs/messages.md is rendered from this enum. Call sites keep
 * their own, specific text and start it with the constant: its {@code toString()} is the id.
 */
public enum HibernateMessage implements MessageId {

    NODE_ID_NOT_A_STRING(501,
            "The Hibernate property naming Lockstep's node id is not a String.",
            "Set it to the nodeId of the application's Lockstep, as a String."),
    PLATFORM_NOT_CONFIGURED(502,
            "A LockstepJtaPlatform created by hand was used before it was configured.",
            "Pass the Lockstep to new LockstepJtaPlatform(lockstep).");

    private final MessageId.Entry entry;

    HibernateMessage(int number, String meaning, String action) {
        this.entry = new MessageId.Entry(number, meaning, action);
    }

    @Override
    public MessageId.Entry entry() {
        return entry;
    }

    /** The id, {@code LKS-nnn}: what a message starts with. */
    @Override
    public String toString() {
        return id();
    }
}
