package dev.lockstep.bench.micro;

import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import javax.transaction.xa.XAResource;

/** One transaction through a JTA TransactionManager, the same calls for every TM under test. */
public final class JtaTransactions {

    private JtaTransactions() {
    }

    /** begin, enlist each resource, commit; rolls back and rethrows if enlisting fails. */
    public static void run(TransactionManager tm, XAResource[] resources) throws Exception {
        tm.begin();
        try {
            Transaction tx = tm.getTransaction();
            for (XAResource r : resources) {
                if (!tx.enlistResource(r)) {
                    throw new IllegalStateException("the TM refused to enlist " + r);
                }
            }
        } catch (Exception | Error e) {
            tm.rollback();
            throw e;
        }
        tm.commit();
    }
}
