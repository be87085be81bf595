package dev.lockstep.tm.recovery;

import dev.lockstep.tm.messages.TmMessage;

/**
 * An operator's {@link Recovery#resolve} cannot be carried out as asked; the message starts with the refusal's id
 * ({@link #reason()}) and says why and what to do.
 */
public final class ResolveRefusedException extends IllegalStateException {

    private final TmMessage reason;

    public ResolveRefusedException(TmMessage reason, String message) {
        super(reason + " " + message);
        this.reason = reason;
    }

    /** Which refusal this is, for tools that act on it: one of the {@code RESOLVE_} ids of {@link TmMessage}. */
    public TmMessage reason() {
        return reason;
    }
}
