package dev.lockstep.jdbc;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/** A fake XAResource that records the calls made on it and fails the verbs it is told to. */
public final class ScriptedXAResource implements XAResource {

    public enum Verb { START, END, PREPARE, COMMIT, ROLLBACK, FORGET, RECOVER }

    private final String name;
    private final List<String> calls = new ArrayList<>();
    private final Map<Verb, XAException> failures = new EnumMap<>(Verb.class);
    private Xid[] recoverable = new Xid[0];
    private final List<Xid> started = new ArrayList<>();

    public ScriptedXAResource(String name) {
        this.name = name;
    }

    public ScriptedXAResource failOn(Verb verb, XAException e) {
        failures.put(verb, e);
        return this;
    }

    public ScriptedXAResource recoverable(Xid... xids) {
        this.recoverable = xids;
        return this;
    }

    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    public synchronized List<Xid> startedXids() {
        return List.copyOf(started);
    }

    private synchronized void call(Verb verb, String detail) throws XAException {
        calls.add(verb.name().toLowerCase() + "(" + name + (detail.isEmpty() ? "" : ", " + detail) + ")");
        XAException e = failures.get(verb);
        if (e != null) {
            throw e;
        }
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        synchronized (this) {
            started.add(xid);
        }
        call(Verb.START, "");
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        call(Verb.END, "");
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        call(Verb.PREPARE, "");
        return XA_OK;
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        call(Verb.COMMIT, onePhase ? "onePhase" : "twoPhase");
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        call(Verb.ROLLBACK, "");
    }

    @Override
    public void forget(Xid xid) throws XAException {
        call(Verb.FORGET, "");
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        call(Verb.RECOVER, "");
        return recoverable.clone();
    }

    @Override
    public boolean isSameRM(XAResource other) {
        return other == this;
    }

    @Override
    public int getTransactionTimeout() {
        return 0;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) {
        return false;
    }

    public static XAException xa(int code) {
        return new XAException(code);
    }

    @Override
    public String toString() {
        return name;
    }
}
