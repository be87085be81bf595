package dev.lockstep.bench.micro;

import com.atomikos.datasource.xa.XATransactionalResource;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import javax.transaction.xa.XAResource;

/**
 * Atomikos refuses to enlist an XAResource that no registered resource can recover ("There is no registered
 * resource that can recover the given XAResource instance"): each counting resource is registered as this, the way
 * Atomikos' own JDBC and JMS wrappers register theirs.
 */
public final class AtomikosResource extends XATransactionalResource {

    private final XAResource resource;
    private final Set<XAResource> enlisted;

    AtomikosResource(String uniqueName, XAResource resource) {
        super(uniqueName);
        this.resource = resource;
        this.enlisted = null;
    }

    /**
     * One resource manager reached through several connections, as Atomikos' own pools register a data source: the
     * XAResources of {@code enlisted} (compared by identity: PostgreSQL's isSameRM is identity, so Atomikos' usual
     * isSameRM test would match none of them) are enlisted in transactions; {@code recovery}, of a connection of its
     * own, is the one Atomikos' recovery uses, so that it never calls a connection a worker is using.
     */
    public AtomikosResource(String uniqueName, XAResource recovery, Collection<XAResource> enlisted) {
        super(uniqueName);
        this.resource = recovery;
        Set<XAResource> set = Collections.newSetFromMap(new IdentityHashMap<>());
        set.addAll(enlisted);
        this.enlisted = Collections.unmodifiableSet(set);
    }

    @Override
    public boolean usesXAResource(XAResource xares) {
        return enlisted == null ? super.usesXAResource(xares) : enlisted.contains(xares);
    }

    @Override
    protected XAResource refreshXAConnection() {
        return resource;
    }
}
