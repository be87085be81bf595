package dev.lockstep.bench.pg;

import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.arjuna.objectstore.StoreManager;
import com.arjuna.ats.internal.arjuna.objectstore.jdbc.JDBCStore;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import dev.lockstep.bench.micro.JtaTransactions;
import dev.lockstep.bench.micro.NarayanaSystem;
import dev.lockstep.bench.micro.TxSystem;
import dev.lockstep.jdbc.LockstepDataSources;
import io.agroal.api.AgroalDataSource;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import javax.transaction.xa.XAResource;

/**
 * Narayana's JTA transaction manager with its transaction log (the action store, the default
 * ObjectStoreEnvironmentBean) in its JDBC object store on the harness's private PostgreSQL, a table prefix per
 * trial. The store opens a connection from the DataSource for every operation and closes it, so it is given a pool
 * (Agroal, plain connections) as large as the most threads of the run: the pool never makes it wait.
 */
public final class NarayanaJdbcStoreSystem implements TxSystem {

    private final PgTarget pg;
    private final int poolSize;
    private final String tablePrefix;
    private final AgroalDataSource pool;
    private final CountingDataSource counted;
    private final ServerCounters server;
    private final Map<String, String> configuration = new LinkedHashMap<>();
    private final TransactionManager tm;
    private final LongAdder transactions = new LongAdder();

    public NarayanaJdbcStoreSystem(Path dir, PgTarget pg) throws Exception {
        this.pg = pg;
        this.tablePrefix = PgTarget.trialName("bench_ny") + "_";
        this.poolSize = pg.maxThreads();
        this.pool = LockstepDataSources.decisionStore(pg.url(), pg.user(), pg.password(), poolSize);
        this.counted = new CountingDataSource(pool);
        this.server = new ServerCounters(pg);
        PgTarget.fill(pool, poolSize);
        ObjectStoreEnvironmentBean actionStore = BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class);
        // Set before the common configuration: it reads the default bean, and StoreManager creates the store on the
        // first transaction.
        actionStore.setObjectStoreType(JDBCStore.class.getName());
        actionStore.setJdbcDataSource(counted);
        actionStore.setTablePrefix(tablePrefix);
        actionStore.setCreateTable(true);
        actionStore.setDropTable(false);
        this.tm = NarayanaSystem.configure(dir, NarayanaSystem.Store.FILE, configuration);
        configuration.put("objectStoreType", JDBCStore.class.getName() + " for the action store (the transaction "
                + "log: the default ObjectStoreEnvironmentBean); communicationStore and stateStore stay file stores "
                + "(not on the commit path)");
        configuration.put("JDBC store", "jdbcDataSource=Agroal pool of " + poolSize + " plain connections (the most threads of the run, "
                + "so no worker waits for one), all opened before the first "
                + "transaction "
                + "(LockstepDataSources.decisionStore; the store sets autocommit off and commits each operation), "
                + "tablePrefix=" + tablePrefix + " (fresh table per trial), createTable=true, dropTable=false; "
                + "pgjdbc picks the postgresql_driver dialect");
        configuration.put("counting", "the DataSource is wrapped to count statements and commits on the client side");
    }

    @Override
    public void transaction(XAResource[] resources) throws Exception {
        JtaTransactions.run(tm, resources);
        transactions.increment();
    }

    @Override
    public Map<String, String> configuration() {
        return configuration;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("tx", transactions.sum());
        c.put("dbStatements", counted.statements());
        c.put("dbRoundTrips", counted.roundTrips());
        c.put("dbCommits", counted.commits());
        server.addTo(c);
        return c;
    }

    @Override
    public void close() throws Exception {
        StoreManager.shutdown();
        pool.close();
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + tablePrefix + "JBossTSTxTable");
        } finally {
            server.close();
        }
    }

    @Override
    public String toString() {
        return "Narayana (JDBC store)";
    }
}
