package dev.lockstep.bench.micro;

import com.atomikos.datasource.xa.XATransactionalResource;
import javax.transaction.xa.XAResource;

/**
 * Atomikos refuses to enlist an XAResource that no registered resource can recover ("There is no registered
 * resource that can recover the given XAResource instance"): each counting resource is registered as this, the way
 * Atomikos' own JDBC and JMS wrappers register theirs.
 */
final class AtomikosResource extends XATransactionalResource {

    private final XAResource resource;

    AtomikosResource(String uniqueName, XAResource resource) {
        super(uniqueName);
        this.resource = resource;
    }

    @Override
    protected XAResource refreshXAConnection() {
        return resource;
    }
}
