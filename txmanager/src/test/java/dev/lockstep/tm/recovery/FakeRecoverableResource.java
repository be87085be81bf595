package dev.lockstep.tm.recovery;

import dev.lockstep.testkit.FakeResourceManager;
import dev.lockstep.tm.internal.xa.LockstepXid;
import dev.lockstep.tm.spi.RecoverableResource;
import javax.transaction.xa.XAResource;

/**
 * The kit's {@link FakeResourceManager} as a {@link RecoverableResource}, the way recovery reaches a database: each
 * {@link #connect()} opens a fresh connection to the same branches. Its branches are keyed by {@link LockstepXid},
 * so a test looks them up with {@code LockstepXid.branch(...)} and {@code recover()} lists Lockstep's own XIDs.
 */
final class FakeRecoverableResource extends FakeResourceManager implements RecoverableResource {

    FakeRecoverableResource(String name) {
        super(name, xid -> LockstepXid.of(xid.getGlobalTransactionId(), xid.getBranchQualifier()));
    }

    @Override
    public RecoveryConnection connect() throws Exception {
        XAResource xa = openXaResource();
        return new RecoveryConnection() {
            @Override
            public XAResource xaResource() {
                return xa;
            }

            @Override
            public void close() {
            }
        };
    }
}
