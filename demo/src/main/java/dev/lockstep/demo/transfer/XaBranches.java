package dev.lockstep.demo.transfer;

import com.mysql.cj.jdbc.MysqlXADataSource;
import dev.lockstep.testkit.XaCodeNames;
import dev.lockstep.tm.spi.LockstepXids;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;
import org.postgresql.xa.PGXADataSource;

/**
 * Lockstep's branches as the servers themselves list them: raw {@code XAResource.recover()} on a fresh connection to
 * PostgreSQL, MariaDB and Artemis, with the drivers' own classes and none of Lockstep's recovery code, filtered by
 * format id and node id. Also rolls such branches back by hand, to clean up after a failed test.
 */
public final class XaBranches {

    /** One prepared branch on one server. */
    public record InDoubtBranch(String server, String nodeId, Xid xid) {
        public String gtridHex() {
            return HexFormat.of().formatHex(xid.getGlobalTransactionId());
        }

        @Override
        public String toString() {
            return server + ":" + nodeId + ":" + gtridHex() + "/" + HexFormat.of().formatHex(xid.getBranchQualifier());
        }
    }

    private XaBranches() {
    }

    /** The prepared Lockstep branches of the nodes {@code nodes} accepts, on every server of {@code e}. */
    public static List<InDoubtBranch> list(Endpoints e, Predicate<String> nodes) throws Exception {
        return visit(e, nodes, false);
    }

    /**
     * Rolls back (raw {@code XAResource.rollback}) every prepared Lockstep branch of the nodes {@code nodes}
     * accepts, on every server of {@code e}; returns what it rolled back. A branch that cannot be rolled back (its
     * session is still alive on MariaDB, say) fails with the XA code's name.
     */
    public static List<InDoubtBranch> rollBack(Endpoints e, Predicate<String> nodes) throws Exception {
        return visit(e, nodes, true);
    }

    private static List<InDoubtBranch> visit(Endpoints e, Predicate<String> nodes, boolean rollBack) throws Exception {
        List<InDoubtBranch> found = new ArrayList<>();
        PGXADataSource pgDs = new PGXADataSource();
        pgDs.setUrl(e.pgUrl());
        var pgc = pgDs.getXAConnection(e.pgLogin().user(), e.pgLogin().password());
        try {
            visit("postgresql", pgc.getXAResource(), nodes, rollBack, found);
        } finally {
            pgc.close();
        }
        MysqlXADataSource myDs = new MysqlXADataSource();
        myDs.setUrl(e.mariaUrl());
        var myc = myDs.getXAConnection(e.mariaLogin().user(), e.mariaLogin().password());
        try {
            visit("mariadb", myc.getXAResource(), nodes, rollBack, found);
        } finally {
            myc.close();
        }
        if (e.withBroker()) {
            try (var f = new ActiveMQXAConnectionFactory(e.brokerUrl());
                 var c = f.createXAConnection(e.brokerLogin().user(), e.brokerLogin().password())) {
                visit("artemis", c.createXASession().getXAResource(), nodes, rollBack, found);
            }
        }
        return found;
    }

    private static void visit(String server, XAResource xa, Predicate<String> nodes, boolean rollBack,
            List<InDoubtBranch> found) throws XAException {
        Xid[] xids = xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
        for (Xid x : xids == null ? new Xid[0] : xids) {
            String node = x.getFormatId() == LockstepXids.FORMAT_ID ? LockstepXids.nodeIdOf(x) : null;
            if (node == null || !nodes.test(node)) {
                continue;
            }
            InDoubtBranch b = new InDoubtBranch(server, node, x);
            if (rollBack) {
                try {
                    xa.rollback(x);
                } catch (XAException ex) {
                    throw new IllegalStateException("cannot roll back " + b + " by hand: " + xaName(ex.errorCode)
                            + " (" + ex.getMessage() + ")", ex);
                }
            }
            found.add(b);
        }
    }

    /** The name of an XA return or error code, for messages (the transaction manager's own table). */
    public static String xaName(int code) {
        return XaCodeNames.name(code) + "(" + code + ")";
    }
}
