package dev.lockstep.tm.internal.coordinator;

import dev.lockstep.tm.internal.xa.XaCodes;
import dev.lockstep.tm.spi.NamedXAResource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * An XAResource that records every call in {@link Events} and fails on command: any XA error code, in any verb,
 * for the next N calls. It keeps the set of prepared branches so that {@code recover()} answers like a real RM.
 */
public class ScriptedXAResource implements NamedXAResource {

    public enum Verb { START, END, PREPARE, COMMIT, ROLLBACK, FORGET, RECOVER }

    private final String name;
    private final Events events;
    private final Map<Verb, Deque<Integer>> failures = new EnumMap<>(Verb.class);
    private final Set<String> prepared = ConcurrentHashMap.newKeySet();
    private final List<String> committed = new ArrayList<>();
    private final List<String> rolledBack = new ArrayList<>();
    private volatile int vote = XAResource.XA_OK;
    private volatile long prepareDelayMillis;
    private volatile long commitDelayMillis;
    private volatile boolean joins;
    private volatile CountDownLatch blockCommit;
    private volatile boolean keepListedAfterNota;
    private volatile Hook hook = (verb, xid) -> { };

    /** Called on the calling thread before every XA call, before any scripted failure; for races and pauses. */
    @FunctionalInterface
    public interface Hook {
        void before(Verb verb, Xid xid);
    }

    public ScriptedXAResource(String name, Events events) {
        this.name = name;
        this.events = events;
    }

    /** Runs {@code hook} before every call from now on. */
    public ScriptedXAResource hook(Hook hook) {
        this.hook = hook;
        return this;
    }

    /** The next {@code times} calls of {@code verb} throw an XAException with {@code code}. */
    public synchronized ScriptedXAResource failOn(Verb verb, int code, int times) {
        Deque<Integer> q = failures.computeIfAbsent(verb, v -> new ArrayDeque<>());
        for (int i = 0; i < times; i++) {
            q.add(code);
        }
        return this;
    }

    public ScriptedXAResource failOn(Verb verb, int code) {
        return failOn(verb, code, 1);
    }

    public ScriptedXAResource vote(int vote) {
        this.vote = vote;
        return this;
    }

    public ScriptedXAResource prepareDelay(long millis) {
        this.prepareDelayMillis = millis;
        return this;
    }

    public ScriptedXAResource commitDelay(long millis) {
        this.commitDelayMillis = millis;
        return this;
    }

    public ScriptedXAResource joins(boolean joins) {
        this.joins = joins;
        return this;
    }

    /** Phase-two commit calls wait on {@code latch} first. */
    public ScriptedXAResource blockCommit(CountDownLatch latch) {
        this.blockCommit = latch;
        return this;
    }

    /** A commit answering XAER_NOTA leaves the branch listed by recover() (MariaDB's held-by-another-session). */
    public ScriptedXAResource keepListedAfterNota(boolean keep) {
        this.keepListedAfterNota = keep;
        return this;
    }

    public synchronized List<String> committed() {
        return List.copyOf(committed);
    }

    public synchronized List<String> rolledBack() {
        return List.copyOf(rolledBack);
    }

    public Set<String> prepared() {
        return Set.copyOf(prepared);
    }

    /** Forgets the listing of prepared branches (as after the RM finished them elsewhere). */
    public void clearPrepared() {
        prepared.clear();
    }

    private void maybeFail(Verb verb, String call) throws XAException {
        maybeFail(verb, null, call);
    }

    private void maybeFail(Verb verb, Xid xid, String call) throws XAException {
        hook.before(verb, xid);
        Integer code;
        synchronized (this) {
            Deque<Integer> q = failures.get(verb);
            code = q == null ? null : q.poll();
        }
        if (code != null) {
            events.add(call + "!" + XaCodes.name(code).replaceAll("\\(.*", ""));
            throw new XAException(code);
        }
        events.add(call);
    }

    private static String key(Xid xid) {
        return java.util.HexFormat.of().formatHex(xid.getGlobalTransactionId()) + "/"
                + java.util.HexFormat.of().formatHex(xid.getBranchQualifier());
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        maybeFail(Verb.START, xid, "start(" + name + flagSuffix(flags) + ")");
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        maybeFail(Verb.END, xid, "end(" + name + flagSuffix(flags) + ")");
    }

    private static String flagSuffix(int flags) {
        return switch (flags) {
            case XAResource.TMJOIN -> ",join";
            case XAResource.TMRESUME -> ",resume";
            case XAResource.TMSUSPEND -> ",suspend";
            case XAResource.TMFAIL -> ",fail";
            default -> "";
        };
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        sleep(prepareDelayMillis);
        maybeFail(Verb.PREPARE, xid, "prepare(" + name + ")");
        if (vote == XAResource.XA_OK) {
            prepared.add(key(xid));
        }
        return vote;
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        CountDownLatch latch = blockCommit;
        if (latch != null && !onePhase) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sleep(commitDelayMillis);
        try {
            maybeFail(Verb.COMMIT, xid, (onePhase ? "commit1p(" : "commit(") + name + ")");
        } catch (XAException e) {
            if (e.errorCode == XAException.XAER_NOTA && !keepListedAfterNota) {
                prepared.remove(key(xid));
            }
            throw e;
        }
        prepared.remove(key(xid));
        synchronized (this) {
            committed.add(key(xid));
        }
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        maybeFail(Verb.ROLLBACK, xid, "rollback(" + name + ")");
        prepared.remove(key(xid));
        synchronized (this) {
            rolledBack.add(key(xid));
        }
    }

    @Override
    public void forget(Xid xid) throws XAException {
        maybeFail(Verb.FORGET, xid, "forget(" + name + ")");
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        maybeFail(Verb.RECOVER, "recover(" + name + ")");
        List<Xid> out = new ArrayList<>();
        for (String k : prepared) {
            String[] parts = k.split("/");
            byte[] g = java.util.HexFormat.of().parseHex(parts[0]);
            byte[] b = java.util.HexFormat.of().parseHex(parts[1]);
            out.add(dev.lockstep.tm.internal.xa.LockstepXid.of(g, b));
        }
        return out.toArray(new Xid[0]);
    }

    @Override
    public boolean isSameRM(XAResource other) {
        XAResource target = other instanceof NamedXAResource n ? n.unwrap() : other;
        return target instanceof ScriptedXAResource s && s.name.equals(name);
    }

    @Override
    public boolean joinsOnSameRM() {
        return joins;
    }

    @Override
    public String resourceName() {
        return name;
    }

    @Override
    public int getTransactionTimeout() {
        return 0;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) {
        return false;
    }

    private static void sleep(long millis) {
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
