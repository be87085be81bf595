package dev.lockstep.testkit;

import java.net.ConnectException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A resource manager with prepared branches that outlive connections, as a database keeps them across client
 * crashes: recover() lists them, commit and rollback finish them. Failures are injected per call ({@link
 * #failCommit}, {@link #failRollback}), the whole RM can be {@link #down}, and XIDs that are not ours can be listed
 * beside ours ({@link #listForeign}).
 *
 * <p>Branches are keyed by an XID of the test's choosing ({@code key}), so that a test may look them up with its own
 * XID type; {@code recover()} returns those keys. Calls read {@code recover}, {@code commit <xid>}, {@code rollback
 * <xid>}, {@code forget <xid>}.
 */
public class FakeResourceManager {

    /** What happened to a branch. */
    public enum BranchOutcome { PREPARED, COMMITTED, ROLLED_BACK, HEURISTIC_ROLLED_BACK }

    private final String name;
    private final UnaryOperator<Xid> key;
    private final Map<Xid, BranchOutcome> branches = new LinkedHashMap<>();
    private final List<Xid> foreign = new ArrayList<>();
    private final Deque<Integer> commitErrors = new ArrayDeque<>();
    private final Deque<Integer> rollbackErrors = new ArrayDeque<>();
    private final List<String> calls = new ArrayList<>();
    private boolean down;
    private boolean notaOnCommit;
    private int connects;

    /** An RM whose branches are keyed by {@link TestXids#copyOf}, equal by format id, gtrid and bqual. */
    public FakeResourceManager(String name) {
        this(name, TestXids::copyOf);
    }

    /** An RM whose branches are keyed by {@code key} of each XID (which must give equal keys for equal XIDs). */
    public FakeResourceManager(String name, UnaryOperator<Xid> key) {
        this.name = name;
        this.key = key;
    }

    public String name() {
        return name;
    }

    /** Records {@code xid} as prepared, as if a TM had prepared it before it crashed. */
    public synchronized void prepare(Xid xid) {
        branches.put(key.apply(xid), BranchOutcome.PREPARED);
    }

    /** Sets what happened to {@code xid}, as if it had happened before the test. */
    public synchronized void settle(Xid xid, BranchOutcome outcome) {
        branches.put(key.apply(xid), outcome);
    }

    /** What happened to {@code xid}, or null if this RM never saw it. */
    public synchronized BranchOutcome outcome(Xid xid) {
        return branches.get(key.apply(xid));
    }

    /** Takes every branch and its outcome from {@code other}, as a database restored from the other's image. */
    public synchronized void copyBranchesOf(FakeResourceManager other) {
        Map<Xid, BranchOutcome> theirs;
        synchronized (other) {
            theirs = new LinkedHashMap<>(other.branches);
        }
        theirs.forEach((x, o) -> branches.put(key.apply(x), o));
    }

    /** {@code recover()} also lists {@code xid}, a branch of another TM that is to be left alone. */
    public synchronized void listForeign(Xid xid) {
        foreign.add(xid);
    }

    /** The next commit not already scripted fails with {@code code}; XA_HEURRB also marks the branch so. */
    public synchronized void failCommit(int code) {
        commitErrors.add(code);
    }

    /** The next rollback not already scripted fails with {@code code}. */
    public synchronized void failRollback(int code) {
        rollbackErrors.add(code);
    }

    /** While down, {@link #openXaResource()} fails with ConnectException, as a stopped server refuses connections. */
    public synchronized void down(boolean down) {
        this.down = down;
    }

    /** Every commit answers XAER_NOTA although the branch is prepared (never in a healthy RM; for NOTA tests). */
    public synchronized void notaOnCommit(boolean nota) {
        this.notaOnCommit = nota;
    }

    /** The calls made on this RM's connections, in order. */
    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    /** How many times a connection was asked for, including refused ones. */
    public synchronized int connects() {
        return connects;
    }

    /** A fresh connection's XAResource; the branches are the RM's, shared by every connection. */
    public synchronized XAResource openXaResource() throws ConnectException {
        connects++;
        if (down) {
            throw new ConnectException(name + " is down");
        }
        return new Xa();
    }

    private final class Xa implements XAResource {
        @Override
        public Xid[] recover(int flag) {
            synchronized (FakeResourceManager.this) {
                calls.add("recover");
                List<Xid> out = new ArrayList<>(foreign);
                branches.forEach((x, o) -> {
                    if (o == BranchOutcome.PREPARED || o == BranchOutcome.HEURISTIC_ROLLED_BACK) {
                        out.add(x);
                    }
                });
                return out.toArray(new Xid[0]);
            }
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            synchronized (FakeResourceManager.this) {
                calls.add("commit " + xid);
                Integer err = commitErrors.poll();
                if (err != null) {
                    if (err == XAException.XA_HEURRB) {
                        branches.put(key.apply(xid), BranchOutcome.HEURISTIC_ROLLED_BACK);
                    }
                    throw new XAException(err);
                }
                if (notaOnCommit || branches.get(key.apply(xid)) != BranchOutcome.PREPARED) {
                    throw new XAException(XAException.XAER_NOTA);
                }
                branches.put(key.apply(xid), BranchOutcome.COMMITTED);
            }
        }

        @Override
        public void rollback(Xid xid) throws XAException {
            synchronized (FakeResourceManager.this) {
                calls.add("rollback " + xid);
                Integer err = rollbackErrors.poll();
                if (err != null) {
                    throw new XAException(err);
                }
                if (branches.get(key.apply(xid)) != BranchOutcome.PREPARED) {
                    throw new XAException(XAException.XAER_NOTA);
                }
                branches.put(key.apply(xid), BranchOutcome.ROLLED_BACK);
            }
        }

        @Override
        public void forget(Xid xid) throws XAException {
            synchronized (FakeResourceManager.this) {
                calls.add("forget " + xid);
                if (branches.get(key.apply(xid)) == BranchOutcome.HEURISTIC_ROLLED_BACK) {
                    branches.put(key.apply(xid), BranchOutcome.ROLLED_BACK);
                    return;
                }
                throw new XAException(XAException.XAER_NOTA);
            }
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
