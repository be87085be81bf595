package dev.lockstep.tm.recovery;

import dev.lockstep.tm.internal.xa.LockstepXid;
import dev.lockstep.tm.spi.RecoverableResource;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A resource manager with prepared branches that outlive connections, as a database keeps them across client
 * crashes: recover() lists them, commit and rollback finish them. Failures are injected per call.
 */
final class FakeResourceManager implements RecoverableResource {

    /** What happened to a branch. */
    enum Outcome { PREPARED, COMMITTED, ROLLED_BACK, HEURISTIC_ROLLED_BACK }

    private final String name;
    final Map<LockstepXid, Outcome> branches = new LinkedHashMap<>();
    final List<Xid> foreign = new ArrayList<>();
    final Deque<Integer> commitErrors = new ArrayDeque<>();
    final Deque<Integer> rollbackErrors = new ArrayDeque<>();
    final List<String> calls = new ArrayList<>();
    boolean down;
    /** Branches that the next recover() hides although prepared (never happens in a healthy RM; for NOTA tests). */
    boolean notaOnCommit;
    int connects;

    FakeResourceManager(String name) {
        this.name = name;
    }

    void prepare(LockstepXid xid) {
        branches.put(xid, Outcome.PREPARED);
    }

    Outcome outcome(LockstepXid xid) {
        return branches.get(xid);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public RecoveryConnection connect() throws Exception {
        connects++;
        if (down) {
            throw new java.net.ConnectException(name + " is down");
        }
        XAResource xa = new Xa();
        return new RecoveryConnection() {
            @Override
            public XAResource xaResource() {
                return xa;
            }

            @Override
            public void close() {
            }
        };
    }

    private LockstepXid key(Xid xid) {
        return LockstepXid.of(xid.getGlobalTransactionId(), xid.getBranchQualifier());
    }

    private final class Xa implements XAResource {
        @Override
        public Xid[] recover(int flag) throws XAException {
            calls.add("recover");
            List<Xid> out = new ArrayList<>(foreign);
            branches.forEach((x, o) -> {
                if (o == Outcome.PREPARED || o == Outcome.HEURISTIC_ROLLED_BACK) {
                    out.add(x);
                }
            });
            return out.toArray(new Xid[0]);
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            calls.add("commit " + xid);
            Integer err = commitErrors.poll();
            if (err != null) {
                if (err == XAException.XA_HEURRB) {
                    branches.put(key(xid), Outcome.HEURISTIC_ROLLED_BACK);
                }
                throw new XAException(err);
            }
            if (notaOnCommit || branches.get(key(xid)) != Outcome.PREPARED) {
                throw new XAException(XAException.XAER_NOTA);
            }
            branches.put(key(xid), Outcome.COMMITTED);
        }

        @Override
        public void rollback(Xid xid) throws XAException {
            calls.add("rollback " + xid);
            Integer err = rollbackErrors.poll();
            if (err != null) {
                throw new XAException(err);
            }
            if (branches.get(key(xid)) != Outcome.PREPARED) {
                throw new XAException(XAException.XAER_NOTA);
            }
            branches.put(key(xid), Outcome.ROLLED_BACK);
        }

        @Override
        public void forget(Xid xid) throws XAException {
            calls.add("forget " + xid);
            if (branches.get(key(xid)) == Outcome.HEURISTIC_ROLLED_BACK) {
                branches.put(key(xid), Outcome.ROLLED_BACK);
                return;
            }
            throw new XAException(XAException.XAER_NOTA);
        }

        @Override
        public void end(Xid xid, int flags) {
        }

        @Override
        public int getTransactionTimeout() {
            return 0;
        }

        @Override
        public boolean isSameRM(XAResource xares) {
            return false;
        }

        @Override
        public int prepare(Xid xid) {
            return XA_OK;
        }

        @Override
        public boolean setTransactionTimeout(int seconds) {
            return false;
        }

        @Override
        public void start(Xid xid, int flags) {
        }
    }
}
