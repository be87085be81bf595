package dev.lockstep.bench.pg;

import dev.lockstep.bench.micro.CountingXAResource;
import dev.lockstep.bench.micro.JtaTransactions;
import dev.lockstep.bench.micro.TxSystem;
import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.LockstepMetrics;
import dev.lockstep.tm.spi.NamedXAResource;
import dev.lockstep.tm.store.PostgresDecisionStore;
import io.agroal.api.AgroalDataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.transaction.xa.XAResource;

/**
 * Lockstep with its decisions in PostgreSQL ({@link PostgresDecisionStore}) on the harness's private server, in a
 * schema of its own per trial, in-process recovery off (nothing to recover; a scan is not on the commit path).
 */
public final class LockstepPgStoreSystem implements TxSystem {

    /** Connections of the store's pool: the writer, one for each lease renewal, and spare. */
    static final int POOL = 4;

    private final PgTarget pg;
    private final String schema;
    private final AgroalDataSource pool;
    private final CountingDataSource counted;
    private final ServerCounters server;
    private final Lockstep lockstep;

    public LockstepPgStoreSystem(PgTarget pg) throws Exception {
        this.pg = pg;
        this.schema = PgTarget.trialName("bench_ls");
        this.pool = LockstepDataSources.decisionStore(pg.url(), pg.user(), pg.password(), POOL);
        this.counted = new CountingDataSource(pool);
        this.server = new ServerCounters(pg);
        PostgresDecisionStore store = PostgresDecisionStore.builder(counted).schema(schema).createSchema(true).build();
        this.lockstep = Lockstep.builder().nodeId("bench").decisionStore(store).inProcessRecovery(false).build();
    }

    @Override
    public XAResource[] adopt(CountingXAResource[] resources) {
        XAResource[] named = new XAResource[resources.length];
        for (int i = 0; i < resources.length; i++) {
            named[i] = NamedXAResource.wrap(resources[i].name(), resources[i]);
        }
        return named;
    }

    @Override
    public void transaction(XAResource[] resources) throws Exception {
        JtaTransactions.run(lockstep.transactionManager(), resources);
    }

    @Override
    public Map<String, String> configuration() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("builder", "Lockstep.builder().nodeId(\"bench\").decisionStore(PostgresDecisionStore.builder(ds)"
                + ".schema(\"" + schema + "\").createSchema(true).build()).inProcessRecovery(false).build(), every "
                + "other setting at its default (lease 15 s, parallelPhases=true, phaseThreads=8)");
        c.put("decision store", "LockstepDataSources.decisionStore(url, user, password, " + POOL + "): Agroal, plain "
                + "autocommit connections to the harness's private PostgreSQL (synchronous_commit on, fsync on); "
                + "a fresh schema per trial");
        c.put("counting", "the store's DataSource is wrapped to count statements and commits on the client side");
        c.put("resources", "NamedXAResource.wrap(name, resource)");
        return c;
    }

    @Override
    public Map<String, Long> counters() {
        LockstepMetrics m = lockstep.metrics();
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("committed", m.committed());
        c.put("tx", m.committed() + m.committedOnePhase() + m.committedReadOnly());
        c.put("rolledBack", m.rolledBack());
        c.put("logForces", m.logForces());
        c.put("logRecords", m.logRecords());
        c.put("dbStatements", counted.statements());
        c.put("dbRoundTrips", counted.roundTrips());
        c.put("dbCommits", counted.commits());
        server.addTo(c);
        return c;
    }

    @Override
    public void close() throws Exception {
        lockstep.close();
        pool.close();
        try (Connection conn = pg.connect(); Statement s = conn.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } finally {
            server.close();
        }
    }
}
