package dev.lockstep.bench.real;

import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.jms.LockstepConnectionFactory;
import dev.lockstep.tm.Lockstep;
import io.agroal.api.AgroalDataSource;
import jakarta.jms.ConnectionFactory;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/** Lockstep with its own pools: LockstepDataSources (Agroal) and LockstepConnectionFactory (pooled-jms). */
final class LockstepReal implements RealSystem {

    private final Lockstep lockstep;
    private final AgroalDataSource pg;
    private final AgroalDataSource maria;
    private final LockstepConnectionFactory broker;
    private final Map<String, String> configuration = new LinkedHashMap<>();

    LockstepReal(Path dir, RealServers servers, int poolSize) throws Exception {
        lockstep = lockstep(dir, configuration);
        pg = LockstepDataSources.postgresql(lockstep, RawConnections.NAMES[0], servers.pgUrl(), servers.user(),
                servers.password(), poolSize);
        maria = LockstepDataSources.mysql(lockstep, RawConnections.NAMES[1], servers.mariaUrl(), servers.user(),
                servers.password(), poolSize);
        broker = LockstepConnectionFactory.artemis(lockstep, RawConnections.NAMES[2], servers.brokerUrl(), null, null,
                poolSize);
        configuration.put("JDBC", "LockstepDataSources.postgresql/mysql(lockstep, name, url, user, password, "
                + poolSize + "): Agroal, maxSize " + poolSize + ", initialSize 0, idle validation after 1 s");
        configuration.put("JMS", "LockstepConnectionFactory.artemis(lockstep, name, url, null, null, " + poolSize
                + "): pooled-jms JmsPoolXAConnectionFactory, maxConnections " + poolSize + ", other pool defaults");
    }

    /** Lockstep as both real-resource adapters build it (with and without its pools), its settings into the map. */
    static Lockstep lockstep(Path dir, Map<String, String> configuration) {
        Path logDirectory = dir.resolve("lockstep-log");
        configuration.put("TM", "Lockstep.builder().nodeId(\"bench-real\").logDirectory(" + logDirectory
                + ").build(), defaults otherwise (parallelPhases=true, phaseThreads=8)");
        return Lockstep.builder().nodeId("bench-real").logDirectory(logDirectory).build();
    }

    @Override
    public TransactionManager transactionManager() {
        return lockstep.transactionManager();
    }

    @Override
    public DataSource postgres() {
        return pg;
    }

    @Override
    public DataSource mariadb() {
        return maria;
    }

    @Override
    public ConnectionFactory broker() {
        return broker;
    }

    @Override
    public Map<String, String> configuration() {
        return configuration;
    }

    @Override
    public void close() {
        pg.close();
        maria.close();
        broker.pool().stop();
        lockstep.close();
    }
}
