package dev.lockstep.tm.recovery;

/** An operator's {@link Recovery#resolve} cannot be carried out as asked; the message says why and what to do. */
public final class ResolveRefusedException extends IllegalStateException {

    public ResolveRefusedException(String message) {
        super(message);
    }
}
