package dev.lockstep.spring.boot;

import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.tm.store.PostgresDecisionStore;
import io.agroal.api.AgroalDataSource;
import java.sql.SQLException;

/**
 * The database decision store of {@code lockstep.decision-store.*} with the pool it writes through. A bean of its own
 * type rather than a DataSource bean, so that the application's own DataSource injection points never see the
 * store's pool; closed after the Lockstep bean that depends on it.
 */
public final class LockstepDecisionStore implements AutoCloseable {

    private final AgroalDataSource pool;
    private final PostgresDecisionStore store;

    private LockstepDecisionStore(AgroalDataSource pool, PostgresDecisionStore store) {
        this.pool = pool;
        this.store = store;
    }

    static LockstepDecisionStore open(LockstepProperties.DecisionStoreProperties p) throws SQLException {
        AgroalDataSource pool = LockstepDataSources.decisionStore(p.getUrl(), p.getUsername(), p.getPassword(),
                p.getPoolSize());
        try {
            return new LockstepDecisionStore(pool, PostgresDecisionStore.builder(pool).schema(p.getSchema())
                    .createSchema(p.isCreateSchema()).lease(p.getLease()).build());
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    public PostgresDecisionStore store() {
        return store;
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "LockstepDecisionStore[" + store + "]";
    }
}
