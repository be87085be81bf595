package dev.lockstep.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.servers.MariaDbServer;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.testkit.servers.Servers;
import dev.lockstep.jdbc.JdbcRecoverableResource;
import dev.lockstep.jms.ArtemisRecoverableResource;
import dev.lockstep.tm.spi.LockstepXids;
import dev.lockstep.tm.spi.RecoverableResource;
import java.util.Arrays;
import java.util.List;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;

/**
 * The recovery resources built from configuration alone (what the recovery service uses) reach each real server
 * and list only Lockstep's branches; a foreign branch prepared on MariaDB, whose XA RECOVER is server-wide, is not
 * listed, and is never touched.
 */
class RecoveryResourceTest {

    @Test
    void recoveryResourcesFromConfigurationListOnlyLockstepBranches() throws Exception {
        List<RecoverableResource> all = List.of(
                JdbcRecoverableResource.postgresql("orders-pg", Servers.postgres().jdbcUrl(), PostgresServer.USER,
                        PostgresServer.PASSWORD),
                JdbcRecoverableResource.mysql("billing-maria", Servers.mariadb().jdbcUrl(), MariaDbServer.USER,
                        MariaDbServer.PASSWORD),
                new ArtemisRecoverableResource("events", Servers.artemis().brokerUrl(), null, null));
        for (RecoverableResource r : all) {
            try (var c = r.connect()) {
                Xid[] listed = c.xaResource().recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
                assertTrue(Arrays.stream(listed).allMatch(LockstepXids::isLockstep), r + " listed a foreign XID");
            }
        }

        // A foreign branch (another TM's format id) prepared on MariaDB is invisible to the recovery resource.
        var ds = new com.mysql.cj.jdbc.MysqlXADataSource();
        ds.setUrl(Servers.mariadb().jdbcUrl());
        var foreignConnection = ds.getXAConnection(MariaDbServer.USER, MariaDbServer.PASSWORD);
        Xid foreign = new Xid() {
            public int getFormatId() {
                return 4711;
            }

            public byte[] getGlobalTransactionId() {
                return "someone-else".getBytes();
            }

            public byte[] getBranchQualifier() {
                return new byte[] {1};
            }
        };
        try (var plain = ds.getConnection(MariaDbServer.USER, MariaDbServer.PASSWORD)) {
            plain.createStatement().execute("CREATE TABLE IF NOT EXISTS foreign_work (id INT) ENGINE=InnoDB");
        }
        XAResource fx = foreignConnection.getXAResource();
        fx.start(foreign, XAResource.TMNOFLAGS);
        foreignConnection.getConnection().createStatement().execute("INSERT INTO foreign_work VALUES (1)");
        fx.end(foreign, XAResource.TMSUCCESS);
        fx.prepare(foreign);
        assertTrue(Arrays.stream(fx.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN))
                .anyMatch(x -> x.getFormatId() == 4711), "the raw XA RECOVER lists the foreign branch");
        try (var c = all.get(1).connect()) {
            assertEquals(0, c.xaResource().recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN).length);
        } finally {
            fx.rollback(foreign);
            foreignConnection.close();
        }
    }
}
