package dev.lockstep.tm;

import dev.lockstep.tm.internal.log.LogStorage;

/** Reaches the package-private test seams of {@link Lockstep.Builder} from tests in other packages. */
public final class TestAccess {

    private TestAccess() {
    }

    /** The builder with its log on {@code storage} (fault injection, a simulated disk). */
    public static Lockstep.Builder logStorage(Lockstep.Builder builder, LogStorage storage) {
        return builder.logStorage(storage);
    }

    /** The builder with small segments prepared on {@code preparer} (see {@code Lockstep.Builder.testSegments}). */
    public static Lockstep.Builder testSegments(Lockstep.Builder builder, long bytes,
            java.util.concurrent.Executor preparer) {
        return builder.testSegments(bytes, preparer);
    }

    /** As {@link #testSegments(Lockstep.Builder, long, java.util.concurrent.Executor)}, in format {@code version}. */
    public static Lockstep.Builder testSegments(Lockstep.Builder builder, long bytes,
            java.util.concurrent.Executor preparer, int version) {
        return builder.testSegments(bytes, preparer, version);
    }
}
