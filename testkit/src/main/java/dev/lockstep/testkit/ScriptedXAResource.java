package dev.lockstep.testkit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * An XAResource that records every call in {@link Events} and fails on command: any XA error code, in any verb,
 * for the next N calls ({@link #failOn(Verb, int, int)}), or a given exception, such as a driver's with its own
 * message, on every call ({@link #failAlways}). It keeps the set of prepared branches so that {@code recover()}
 * answers like a real RM, beside any XIDs the test lists as {@link #recoverable}.
 *
 * <p>Events read {@code start(db)}, {@code start(db,join)}, {@code end(db)}, {@code prepare(db)}, {@code commit(db)}
 * (two-phase), {@code commit1p(db)} (one-phase), {@code rollback(db)}, {@code forget(db)}, {@code recover(db)}; a
 * call that fails reads {@code commit(db)!XAER_RMFAIL}, or {@code recover(db)!XAException} for an exception
 * without an error code. Resources of one test may share one {@link Events} log, so
 * that the test asserts their interleaving; the one-argument constructor gives the resource a log of its own.
 *
 * <p>Two resources with the same name are the same resource manager ({@link #isSameRM}). The methods {@link
 * #resourceName()} and {@link #joinsOnSameRM()} match Lockstep's {@code NamedXAResource}, so a test in a module that
 * has Lockstep adds that interface with a subclass of a few lines (txmanager's {@code NamedScriptedXAResource}), or
 * wraps the resource with {@code NamedXAResource.wrap(name, resource)}.
 */
public class ScriptedXAResource implements XAResource {

    public enum Verb { START, END, PREPARE, COMMIT, ROLLBACK, FORGET, RECOVER }

    private final String name;
    private final Events events;
    private final Map<Verb, Deque<Integer>> failures = new EnumMap<>(Verb.class);
    private final Map<Verb, XAException> permanentFailures = new EnumMap<>(Verb.class);
    private final Map<String, Xid> prepared = new LinkedHashMap<>();
    private final List<String> committed = new ArrayList<>();
    private final List<String> rolledBack = new ArrayList<>();
    private final List<Xid> started = new ArrayList<>();
    private volatile List<Xid> recoverable = List.of();
    private volatile int vote = XAResource.XA_OK;
    private volatile long prepareDelayMillis;
    private volatile long commitDelayMillis;
    private volatile boolean joins;
    private volatile CountDownLatch blockCommit;
    private volatile boolean keepListedAfterNota;
    private volatile BeforeCall hook = (verb, xid) -> { };

    /** Called on the calling thread before every XA call, before any scripted failure; for races and pauses. */
    @FunctionalInterface
    public interface BeforeCall {
        void before(Verb verb, Xid xid);
    }

    /** A resource that writes its calls into a log of its own, {@link #events()}. */
    public ScriptedXAResource(String name) {
        this(name, new Events());
    }

    /** A resource that writes its calls into {@code events}, which other resources of the test may share. */
    public ScriptedXAResource(String name, Events events) {
        this.name = name;
        this.events = events;
    }

    /** The log this resource writes its calls into. */
    public Events events() {
        return events;
    }

    /** Runs {@code hook} before every call from now on. */
    public ScriptedXAResource hook(BeforeCall hook) {
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

    /** The next call of {@code verb} throws an XAException with {@code code}. */
    public ScriptedXAResource failOn(Verb verb, int code) {
        return failOn(verb, code, 1);
    }

    /**
     * Every call of {@code verb} from now on throws {@code e} itself (after any failures scripted by {@link #failOn}),
     * so a test can hand in a driver's exception with its message and assert that the very same one comes out.
     */
    public synchronized ScriptedXAResource failAlways(Verb verb, XAException e) {
        permanentFailures.put(verb, e);
        return this;
    }

    /** What {@code prepare} answers when it does not fail: {@code XA_OK} (the default) or {@code XA_RDONLY}. */
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

    /** Whether a second branch on the same resource manager joins the first (Lockstep's {@code joinsOnSameRM}). */
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

    /** {@code recover()} lists these XIDs too, after the branches prepared on this resource (other TMs', say). */
    public ScriptedXAResource recoverable(Xid... xids) {
        this.recoverable = List.of(xids);
        return this;
    }

    /** The branches committed so far, as {@code gtrid/bqual} in hex. */
    public synchronized List<String> committed() {
        return List.copyOf(committed);
    }

    /** The branches rolled back so far, as {@code gtrid/bqual} in hex. */
    public synchronized List<String> rolledBack() {
        return List.copyOf(rolledBack);
    }

    /** The branches prepared and not yet finished, as {@code gtrid/bqual} in hex. */
    public synchronized Set<String> prepared() {
        return Set.copyOf(prepared.keySet());
    }

    /** Forgets the listing of prepared branches (as after the RM finished them elsewhere). */
    public synchronized void clearPrepared() {
        prepared.clear();
    }

    /** Every XID {@code start} was called with, in order. */
    public synchronized List<Xid> startedXids() {
        return List.copyOf(started);
    }

    private void maybeFail(Verb verb, Xid xid, String call) throws XAException {
        hook.before(verb, xid);
        Integer code;
        XAException permanent;
        synchronized (this) {
            Deque<Integer> q = failures.get(verb);
            code = q == null ? null : q.poll();
            permanent = permanentFailures.get(verb);
        }
        XAException failure = code != null ? new XAException(code) : permanent;
        if (failure != null) {
            // An XAException made with only a message has error code 0: name its class rather than XA_OK.
            events.add(call + "!" + (failure.errorCode == 0 ? "XAException" : XaCodeNames.name(failure.errorCode)));
            throw failure;
        }
        events.add(call);
    }

    private static String key(Xid xid) {
        return HexFormat.of().formatHex(xid.getGlobalTransactionId()) + "/"
                + HexFormat.of().formatHex(xid.getBranchQualifier());
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        synchronized (this) {
            started.add(xid);
        }
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
            synchronized (this) {
                prepared.put(key(xid), xid);
            }
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
                synchronized (this) {
                    prepared.remove(key(xid));
                }
            }
            throw e;
        }
        synchronized (this) {
            prepared.remove(key(xid));
            committed.add(key(xid));
        }
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        maybeFail(Verb.ROLLBACK, xid, "rollback(" + name + ")");
        synchronized (this) {
            prepared.remove(key(xid));
            rolledBack.add(key(xid));
        }
    }

    @Override
    public void forget(Xid xid) throws XAException {
        maybeFail(Verb.FORGET, xid, "forget(" + name + ")");
    }

    /** The branches prepared here and not finished, as the XIDs they were prepared with, then the recoverable ones. */
    @Override
    public Xid[] recover(int flag) throws XAException {
        maybeFail(Verb.RECOVER, null, "recover(" + name + ")");
        List<Xid> out;
        synchronized (this) {
            out = new ArrayList<>(prepared.values());
        }
        out.addAll(recoverable);
        return out.toArray(new Xid[0]);
    }

    /** Same name, same resource manager. */
    @Override
    public boolean isSameRM(XAResource other) {
        return other instanceof ScriptedXAResource s && s.name.equals(name);
    }

    /** Lockstep's {@code NamedXAResource.joinsOnSameRM()}: see {@link #joins}. */
    public boolean joinsOnSameRM() {
        return joins;
    }

    /** Lockstep's {@code NamedXAResource.resourceName()}: the name given to the constructor. */
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
