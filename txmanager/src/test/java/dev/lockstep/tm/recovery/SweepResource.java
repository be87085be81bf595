package dev.lockstep.tm.recovery;

import dev.lockstep.tm.internal.xa.LockstepXid;
import dev.lockstep.tm.spi.NamedXAResource;
import dev.lockstep.tm.spi.RecoverableResource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A resource manager for the end-to-end sweeps: it keeps the state of every branch as a database does, across the
 * processes of a test (the transaction manager that enlists it, a restarted one, recovery), and answers XA calls as a
 * strict one would: XAER_NOTA for a branch it does not hold, XAER_PROTO for a call out of order. A branch whose
 * gtrid is in {@link #heuristic} decides on its own at its first phase-two commit: it answers XA_HEURMIX and keeps
 * the branch, listed by {@code recover()}, until it is told to forget it.
 */
final class SweepResource implements RecoverableResource {

    enum State { ACTIVE, IDLE, PREPARED, COMMITTED, ROLLED_BACK, HEURISTIC_MIXED, FORGOTTEN }

    private final String name;
    private final Map<String, State> branches = new HashMap<>();
    private final Map<String, Xid> xids = new HashMap<>();
    final Set<String> heuristic = new HashSet<>();
    /** Gtrids whose first commit, or first rollback, of a branch here answers XAER_RMFAIL (a broken connection). */
    final Set<String> failFirstCommit = new HashSet<>();
    final Set<String> failFirstRollback = new HashSet<>();

    SweepResource(String name) {
        this.name = name;
    }

    /** An independent copy with the same branch states (the resource as a crash image of the TM finds it). */
    synchronized SweepResource copy() {
        SweepResource c = new SweepResource(name);
        c.branches.putAll(branches);
        c.xids.putAll(xids);
        c.heuristic.addAll(heuristic);
        c.failFirstCommit.addAll(failFirstCommit);
        c.failFirstRollback.addAll(failFirstRollback);
        return c;
    }

    synchronized State state(byte[] gtrid, int branch) {
        return branches.get(key(LockstepXid.branch(gtrid, branch)));
    }

    /** Every branch still prepared, or heuristically completed and not forgotten. */
    synchronized List<String> inDoubt() {
        List<String> out = new ArrayList<>();
        branches.forEach((k, s) -> {
            if (s == State.PREPARED || s == State.HEURISTIC_MIXED) {
                out.add(k + "=" + s);
            }
        });
        return out;
    }

    /** A fresh connection's XAResource, named for enlistment. */
    NamedXAResource enlistable() {
        return NamedXAResource.wrap(name, new Xa());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public RecoveryConnection connect() {
        Xa xa = new Xa();
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

    private static String key(Xid xid) {
        return HexFormat.of().formatHex(xid.getGlobalTransactionId()) + "/"
                + HexFormat.of().formatHex(xid.getBranchQualifier());
    }

    private final class Xa implements XAResource {

        @Override
        public void start(Xid xid, int flags) throws XAException {
            synchronized (SweepResource.this) {
                String k = key(xid);
                if (branches.containsKey(k)) {
                    throw new XAException(XAException.XAER_DUPID);
                }
                branches.put(k, State.ACTIVE);
                xids.put(k, LockstepXid.of(xid.getGlobalTransactionId(), xid.getBranchQualifier()));
            }
        }

        @Override
        public void end(Xid xid, int flags) throws XAException {
            synchronized (SweepResource.this) {
                String k = key(xid);
                if (branches.get(k) != State.ACTIVE) {
                    throw new XAException(XAException.XAER_PROTO);
                }
                branches.put(k, flags == TMFAIL ? State.ROLLED_BACK : State.IDLE);
            }
        }

        @Override
        public int prepare(Xid xid) throws XAException {
            synchronized (SweepResource.this) {
                String k = key(xid);
                State s = branches.get(k);
                if (s == State.ROLLED_BACK) {
                    throw new XAException(XAException.XA_RBROLLBACK);
                }
                if (s != State.IDLE) {
                    throw new XAException(s == null ? XAException.XAER_NOTA : XAException.XAER_PROTO);
                }
                branches.put(k, State.PREPARED);
                return XA_OK;
            }
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            synchronized (SweepResource.this) {
                String k = key(xid);
                State s = branches.get(k);
                if (s == State.HEURISTIC_MIXED) {
                    throw new XAException(XAException.XA_HEURMIX);
                }
                if (!onePhase && failFirstCommit.remove(HexFormat.of().formatHex(xid.getGlobalTransactionId()))) {
                    throw new XAException(XAException.XAER_RMFAIL);
                }
                if (onePhase ? s != State.IDLE : s != State.PREPARED) {
                    throw new XAException(s == null || s == State.COMMITTED || s == State.ROLLED_BACK
                            || s == State.FORGOTTEN ? XAException.XAER_NOTA : XAException.XAER_PROTO);
                }
                if (!onePhase && heuristic.contains(HexFormat.of().formatHex(xid.getGlobalTransactionId()))) {
                    branches.put(k, State.HEURISTIC_MIXED);
                    throw new XAException(XAException.XA_HEURMIX);
                }
                branches.put(k, State.COMMITTED);
            }
        }

        @Override
        public void rollback(Xid xid) throws XAException {
            synchronized (SweepResource.this) {
                String k = key(xid);
                State s = branches.get(k);
                if (s == State.HEURISTIC_MIXED) {
                    throw new XAException(XAException.XA_HEURMIX);
                }
                if (failFirstRollback.remove(HexFormat.of().formatHex(xid.getGlobalTransactionId()))) {
                    throw new XAException(XAException.XAER_RMFAIL);
                }
                if (s != State.ACTIVE && s != State.IDLE && s != State.PREPARED) {
                    throw new XAException(s == State.ROLLED_BACK || s == null || s == State.FORGOTTEN
                            || s == State.COMMITTED ? XAException.XAER_NOTA : XAException.XAER_PROTO);
                }
                branches.put(k, State.ROLLED_BACK);
            }
        }

        @Override
        public void forget(Xid xid) throws XAException {
            synchronized (SweepResource.this) {
                String k = key(xid);
                if (branches.get(k) != State.HEURISTIC_MIXED) {
                    throw new XAException(XAException.XAER_NOTA);
                }
                branches.put(k, State.FORGOTTEN);
            }
        }

        @Override
        public Xid[] recover(int flag) {
            synchronized (SweepResource.this) {
                List<Xid> out = new ArrayList<>();
                branches.forEach((k, s) -> {
                    if (s == State.PREPARED || s == State.HEURISTIC_MIXED) {
                        out.add(xids.get(k));
                    }
                });
                return out.toArray(new Xid[0]);
            }
        }

        @Override
        public boolean isSameRM(XAResource other) {
            return false;
        }

        @Override
        public int getTransactionTimeout() {
            return 0;
        }

        @Override
        public boolean setTransactionTimeout(int seconds) {
            return false;
        }
    }
}
