package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.spi.NamedXAResource;
import dev.lockstep.tm.spi.RecoverableResource;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** The resources registered by name (docs/design.md invariant 3: one resource per name). */
public final class ResourceRegistry {

    private final ConcurrentHashMap<String, RecoverableResource> byName = new ConcurrentHashMap<>();

    /** Registers {@code resource}; throws if its name is already taken by another resource. */
    public void register(RecoverableResource resource) {
        String name = NamedXAResource.requireValidName(resource.name());
        RecoverableResource previous = byName.putIfAbsent(name, resource);
        if (previous != null && previous != resource) {
            throw new IllegalStateException(TmMessage.RESOURCE_NAME_TAKEN + " a resource named '" + name
                    + "' is already registered ("
                    + previous + "); resource names are recorded in the decision log and must be unique: give "
                    + resource + " another name");
        }
    }

    public boolean unregister(RecoverableResource resource) {
        return byName.remove(resource.name(), resource);
    }

    /** The resource registered under {@code name}, or null. */
    public RecoverableResource get(String name) {
        return byName.get(name);
    }

    public Collection<RecoverableResource> all() {
        return List.copyOf(byName.values());
    }
}
