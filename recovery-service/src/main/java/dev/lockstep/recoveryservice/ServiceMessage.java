package dev.lockstep.recoveryservice;

import dev.lockstep.tm.messages.MessageId;

/**
 * The message ids of the recovery service, {@code LKS-600} to {@code LKS-699}. The recovery it runs reports with the
 * core's ids (LKS-2xx, {@link dev.lockstep.tm.messages.TmMessage}); these are the service's own. Each id names one
 * condition, with what it means and what to do; docs/messages.md is rendered from this enum. Call sites keep their
 * own, specific text and start it with the constant: its {@code toString()} is the id.
 */
public enum ServiceMessage implements MessageId {

    LISTING_NOT_SERIALIZED(601,
            "The in-doubt listing did not serialize to JSON.",
            "A bug: report it with the command."),
    INTERNAL_ERROR(699,
            "An unexpected failure of the recovery service; the stack trace follows.",
            "Report it with the command and its configuration (without passwords).");

    private final MessageId.Entry entry;

    ServiceMessage(int number, String meaning, String action) {
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
