package dev.lockstep.jdbc;

import dev.lockstep.jdbc.vendor.XaVendor;
import dev.lockstep.tm.spi.RecoverableResource;
import io.agroal.api.transaction.TransactionIntegration.ResourceRecoveryFactory;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;

/**
 * The resource of one pool as Lockstep sees it for phase-two retries and recovery: each {@link #connect()} opens a
 * new XAConnection with the pool's own XADataSource settings (never a pooled one: on MySQL/MariaDB a pooled
 * connection may hold another branch, docs/xa-quirks.md) and closes it on close.
 */
final class PoolRecoverableResource implements RecoverableResource {

    private final String name;
    private final XaVendor vendor;
    private final Supplier<List<ResourceRecoveryFactory>> factories;

    PoolRecoverableResource(String name, XaVendor vendor, Supplier<List<ResourceRecoveryFactory>> factories) {
        this.name = name;
        this.vendor = vendor;
        this.factories = factories;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public RecoveryConnection connect() throws Exception {
        XAConnection xa = openXaConnection();
        XAResource resource;
        try {
            resource = vendor.forRecovery(xa.getXAResource(), name);
        } catch (Exception | LinkageError e) {
            xa.close();
            throw e;
        }
        return new RecoveryConnection() {
            @Override
            public XAResource xaResource() {
                return resource;
            }

            @Override
            public void close() throws Exception {
                xa.close();
            }
        };
    }

    /** A new, unpooled XAConnection from the first recoverable factory the pool registered. */
    XAConnection openXaConnection() throws Exception {
        for (ResourceRecoveryFactory f : factories.get()) {
            if (f.isRecoverable()) {
                return f.getRecoveryConnection();
            }
        }
        throw new IllegalStateException(JdbcMessage.NO_POOL_FOR_RECOVERY + " resource '" + name + "' has no open "
                + vendor.displayName()
                + " pool to open a recovery connection from: its DataSource is closed or was never started; start it"
                + " (or let the recovery service connect with its own settings)");
    }

    @Override
    public String toString() {
        return "PoolRecoverableResource[" + name + ", " + vendor.displayName() + "]";
    }
}
