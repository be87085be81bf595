package dev.lockstep.bench.real;

import com.arjuna.ats.arjuna.objectstore.StoreManager;
import dev.lockstep.bench.micro.AtomikosResource;
import dev.lockstep.bench.micro.AtomikosSystem;
import dev.lockstep.bench.micro.NarayanaSystem;
import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.spi.NamedXAResource;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import javax.transaction.xa.XAResource;

/**
 * A transaction manager alone on the worker's own raw connections (no pool): begin, enlist the three XAResources
 * with {@code getTransaction().enlistResource}, the work, commit. Every TM here ends the branches itself at commit
 * (as in the in-memory workloads), so nothing is delisted.
 */
final class TmOnly implements RawCoordinator {

    /** How a TM takes the raw XAResources of every worker: what each worker enlists (index = worker). */
    @FunctionalInterface
    private interface Adopter {
        XAResource[][] adopt(RawConnections[] workers) throws Exception;
    }

    private final TransactionManager tm;
    private final Map<String, String> configuration;
    private final Adopter adopter;
    private final AutoCloseable closer;
    private XAResource[][] enlisted;

    private TmOnly(TransactionManager tm, Map<String, String> configuration, Adopter adopter, AutoCloseable closer) {
        this.tm = tm;
        this.configuration = configuration;
        this.adopter = adopter;
        this.closer = closer;
    }

    /** Lockstep with the settings of the pooled adapter; each XAResource named as the pools name theirs. */
    static TmOnly lockstep(Path dir) {
        Map<String, String> c = new LinkedHashMap<>();
        Lockstep lockstep = LockstepReal.lockstep(dir, c);
        c.put("resources", "each raw XAResource as NamedXAResource.wrap(name, xares), with the names of the pooled "
                + "adapter (" + String.join(", ", RawConnections.NAMES) + "); no recovery resource registered "
                + "(enlisting needs none)");
        return new TmOnly(lockstep.transactionManager(), c, workers -> {
            XAResource[][] named = new XAResource[workers.length][];
            for (int w = 0; w < workers.length; w++) {
                named[w] = new XAResource[3];
                for (int i = 0; i < 3; i++) {
                    named[w][i] = NamedXAResource.wrap(RawConnections.NAMES[i], workers[w].resource(i));
                }
            }
            return named;
        }, lockstep::close);
    }

    /** Narayana with its default file store, sync on, as the pooled Narayana adapter configures it. */
    static TmOnly narayana(Path dir) throws Exception {
        Map<String, String> c = new LinkedHashMap<>();
        TransactionManager tm = NarayanaSystem.configure(dir, NarayanaSystem.Store.FILE, c);
        c.put("resources", "the raw XAResources as they are");
        return new TmOnly(tm, c, TmOnly::asTheyAre, StoreManager::shutdown);
    }

    /**
     * Atomikos as the in-memory workloads configure it. Atomikos enlists only an XAResource that a registered
     * resource claims: each of the three resource managers is registered once, as Atomikos' own pools register a
     * data source, claiming the XAResources of every worker, with a recovery connection of its own.
     */
    static TmOnly atomikos(Path dir, RawConnections.Factories factories) throws Exception {
        AtomikosSystem atomikos = new AtomikosSystem(dir);
        Map<String, String> c = new LinkedHashMap<>(atomikos.configuration());
        c.put("resources", "the raw XAResources as they are; each resource manager registered once with "
                + "Configuration.addResource as an XATransactionalResource claiming every worker's XAResource of it "
                + "(by identity) and recovering through a connection of its own");
        RawConnections recovery = new RawConnections(factories, 0);
        return new TmOnly(atomikos.transactionManager(), c, workers -> {
            for (int i = 0; i < 3; i++) {
                List<XAResource> claimed = new ArrayList<>();
                for (RawConnections w : workers) {
                    claimed.add(w.resource(i));
                }
                com.atomikos.icatch.config.Configuration.addResource(
                        new AtomikosResource(RawConnections.NAMES[i], recovery.resource(i), claimed));
            }
            return asTheyAre(workers);
        }, () -> {
            try {
                atomikos.close();
            } finally {
                recovery.close();
            }
        });
    }

    private static XAResource[][] asTheyAre(RawConnections[] workers) {
        XAResource[][] raw = new XAResource[workers.length][];
        for (int w = 0; w < workers.length; w++) {
            raw[w] = workers[w].resources();
        }
        return raw;
    }

    @Override
    public void adopt(RawConnections[] workers) throws Exception {
        enlisted = adopter.adopt(workers);
    }

    @Override
    public long transaction(int thread, RawConnections c, LongAdder[] work) throws Exception {
        return timedCommit(tm, () -> {
            Transaction tx = tm.getTransaction();
            for (XAResource r : enlisted[thread]) {
                if (!tx.enlistResource(r)) {
                    throw new IllegalStateException("the TM refused to enlist " + r);
                }
            }
            c.work(work);
        });
    }

    /** The work of a transaction, between begin and commit. */
    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    /**
     * One JTA transaction, the same calls for every TM and every workload: begin, {@code work} (rolled back if it
     * throws), commit; returns the nanoseconds of the commit call alone.
     */
    static long timedCommit(TransactionManager tm, Work work) throws Exception {
        tm.begin();
        try {
            work.run();
        } catch (Exception | Error e) {
            tm.rollback();
            throw e;
        }
        long start = System.nanoTime();
        tm.commit();
        return System.nanoTime() - start;
    }

    @Override
    public Map<String, String> configuration() {
        return configuration;
    }

    @Override
    public void close() throws Exception {
        closer.close();
    }
}
