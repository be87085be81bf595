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
        Path logDirectory = dir.resolve("lockstep-log");
        lockstep = Lockstep.builder().nodeId("bench-real").logDirectory(logDirectory).build();
        pg = LockstepDataSources.postgresql(lockstep, "bench-pg", servers.pgUrl(), servers.user(),
                servers.password(), poolSize);
        maria = LockstepDataSources.mysql(lockstep, "bench-maria", servers.mariaUrl(), servers.user(),
                servers.password(), poolSize);
        broker = LockstepConnectionFactory.artemis(lockstep, "bench-mq", servers.brokerUrl(), null, null, poolSize);
        configuration.put("TM", "Lockstep.builder().nodeId(\"bench-real\").logDirectory(" + logDirectory
                + ").build(), defaults otherwise (parallelPhases=true, phaseThreads=8)");
        configuration.put("JDBC", "LockstepDataSources.postgresql/mysql(lockstep, name, url, user, password, "
                + poolSize + "): Agroal, maxSize " + poolSize + ", initialSize 0, idle validation after 1 s");
        configuration.put("JMS", "LockstepConnectionFactory.artemis(lockstep, name, url, null, null, " + poolSize
                + "): pooled-jms JmsPoolXAConnectionFactory, maxConnections " + poolSize + ", other pool defaults");
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
