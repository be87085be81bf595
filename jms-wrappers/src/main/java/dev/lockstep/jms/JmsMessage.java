package dev.lockstep.jms;

import dev.lockstep.tm.messages.MessageId;

/**
 * The message ids of lockstep-jms, {@code LKS-450} to {@code LKS-499}: the enlisting Artemis connection factory and
 * its recovery resource. Each id names one condition, with what it means and what to do; docs/messages.md is rendered
 * from this enum. Call sites keep their own, specific text and start it with the constant: its {@code toString()} is
 * the id.
 */
public enum JmsMessage implements MessageId {

    BROKER_URL_REFUSED(451,
            "Artemis does not accept a broker URL given for a recoverable resource.",
            "Write the URL in the form the message shows (e.g. tcp://host:61616)."),
    POOL_SIZE_TOO_SMALL(452,
            "An enlisting Artemis connection factory was asked for fewer than one connection.",
            "Give maxConnections a value of at least 1."),
    PROXY_CALL_REFUSED(453,
            "The factory's connection or session could not pass a JMS call on to pooled-jms' object beneath it.",
            "Report it with the stack trace: the factory passes on only public JMS methods, which should not fail.");

    private final MessageId.Entry entry;

    JmsMessage(int number, String meaning, String action) {
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
