package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.testkit.Events;
import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.tm.spi.NamedXAResource;
import javax.transaction.xa.XAResource;

/**
 * The kit's {@link ScriptedXAResource} as a {@link NamedXAResource}, which the coordinator needs to record a
 * branch's name. The kit cannot implement it itself (it must not depend on lockstep-txmanager, whose tests use it),
 * but its {@code resourceName()} and {@code joinsOnSameRM()} already match the interface's.
 */
public class NamedScriptedXAResource extends ScriptedXAResource implements NamedXAResource {

    public NamedScriptedXAResource(String name, Events events) {
        super(name, events);
    }

    /** Same name, same RM, also when {@code other} is this resource wrapped by {@link NamedXAResource#wrap}. */
    @Override
    public boolean isSameRM(XAResource other) {
        return super.isSameRM(other instanceof NamedXAResource named ? named.unwrap() : other);
    }
}
