package dev.lockstep.bench.micro;

import java.util.LinkedHashMap;
import java.util.Map;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The protocol calls done by hand with no transaction manager and no log: start and end each branch, then commit
 * in one phase (one branch) or prepare all and commit those that did not vote read-only. What a coordinator adds
 * to this is its own cost.
 */
public final class XaByHand implements TxSystem {

    @Override
    public void transaction(XAResource[] resources) throws Exception {
        Xid[] xids = BenchXid.branches(resources.length);
        for (int i = 0; i < resources.length; i++) {
            resources[i].start(xids[i], XAResource.TMNOFLAGS);
        }
        for (int i = 0; i < resources.length; i++) {
            resources[i].end(xids[i], XAResource.TMSUCCESS);
        }
        if (resources.length == 1) {
            resources[0].commit(xids[0], true);
            return;
        }
        boolean[] toCommit = new boolean[resources.length];
        for (int i = 0; i < resources.length; i++) {
            toCommit[i] = resources[i].prepare(xids[i]) == XAResource.XA_OK;
        }
        for (int i = 0; i < resources.length; i++) {
            if (toCommit[i]) {
                resources[i].commit(xids[i], false);
            }
        }
    }

    @Override
    public Map<String, String> configuration() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("what", "start/end each branch, then commit(onePhase) for one branch, or prepare all and commit the "
                + "OK voters, sequentially on the calling thread");
        c.put("log", "none");
        return c;
    }

    @Override
    public void close() {
    }
}
