package dev.lockstep.tm;

import dev.lockstep.tm.messages.TmMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Lockstep instances open in this JVM: added by {@link Lockstep.Builder#build()}, removed when
 * {@link Lockstep#close()} starts.
 *
 * <p>For integrations that a framework instantiates by class name and that must find the application's Lockstep
 * without being handed it: Hibernate's {@code JtaPlatform} (setting {@code lockstep.node_id}) and JNDI object
 * factories. Application code that holds its Lockstep passes it directly instead.
 */
public final class LockstepInstances {

    private static final List<Lockstep> OPEN = new CopyOnWriteArrayList<>();

    private LockstepInstances() {
    }

    static void opened(Lockstep lockstep) {
        OPEN.add(lockstep);
    }

    static void closing(Lockstep lockstep) {
        OPEN.remove(lockstep);
    }

    /** A snapshot of the instances open now, in the order they were built. */
    public static List<Lockstep> open() {
        return List.copyOf(OPEN);
    }

    /**
     * The open instance with node id {@code nodeId}, or, when {@code nodeId} is null or blank, the only open one.
     *
     * @param setting the name of the setting the caller's user writes the node id in (for instance
     *        {@code lockstep.node_id}); every error names it and says how to fix it
     * @param caller what is looking, for the messages (for instance "Hibernate's JtaPlatform")
     * @throws IllegalStateException if there is no such instance, or more than one matches
     */
    public static Lockstep select(String nodeId, String setting, String caller) {
        return select(open(), nodeId, setting, caller);
    }

    static Lockstep select(List<Lockstep> open, String nodeId, String setting, String caller) {
        boolean named = nodeId != null && !nodeId.isBlank();
        List<Lockstep> matches = new ArrayList<>();
        for (Lockstep l : open) {
            if (!named || l.nodeId().equals(nodeId.strip())) {
                matches.add(l);
            }
        }
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (named && matches.isEmpty()) {
            throw new IllegalStateException(TmMessage.NO_INSTANCE_WITH_NODE_ID + " " + caller
                    + ": no open Lockstep has node id '" + nodeId.strip()
                    + "' (setting " + setting + "); open now: " + describe(open) + ". Build and keep open the "
                    + "Lockstep with that nodeId before " + caller + " starts, or set " + setting
                    + " to the node id of an open one");
        }
        if (matches.isEmpty()) {
            throw new IllegalStateException(TmMessage.NO_INSTANCE_OPEN + " " + caller
                    + ": no Lockstep is open in this JVM. Build one "
                    + "(Lockstep.builder().nodeId(...).logDirectory(...).build()) and keep it open before " + caller
                    + " starts; " + setting + " may name its node id");
        }
        if (named) {
            throw new IllegalStateException(TmMessage.NODE_ID_OPEN_TWICE + " " + caller + ": " + matches.size()
                    + " open Lockstep instances have node id '" + nodeId.strip() + "' (setting " + setting + "): "
                    + describe(matches) + ". Give each TM of this JVM its own node id");
        }
        throw new IllegalStateException(TmMessage.INSTANCE_AMBIGUOUS + " " + caller + ": " + matches.size()
                + " Lockstep instances are "
                + "open in this JVM (" + describe(matches) + ") and " + setting + " is not set: set " + setting
                + " to the node id of the one to use");
    }

    private static String describe(List<Lockstep> list) {
        if (list.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        for (Lockstep l : list) {
            parts.add(l.toString());
        }
        return String.join(", ", parts);
    }
}
