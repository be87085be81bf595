package dev.lockstep.tm.spi;

import java.util.Objects;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * An {@link XAResource} that carries the stable, unique name of the resource it belongs to, and says whether
 * the transaction manager may join two of its connections into one branch.
 *
 * <p>Pools and brokers wrap their XAResources in this before enlisting them. The name goes into the COMMIT record
 * of every branch (invariant 3 of docs/design.md): it is how the recovery service finds the connection settings of a
 * resource after a crash, so it must stay the same across restarts and be unique among the resources of a node;
 * {@link #requireValidName} is the rule for it.
 *
 * <p>A plain {@code XAResource} is accepted too; its branches are recorded under the name
 * {@code "unnamed:" + class name} and are recovered only by a scan that includes that resource.
 */
public interface NamedXAResource extends XAResource {

    /** The stable name of the resource (for example {@code "orders-db"}); never null or blank. */
    String resourceName();

    /**
     * Whether two XAResources of this resource for which {@link #isSameRM(XAResource)} is true may share one branch
     * ({@code start(xid, TMJOIN)}). False by default: PostgreSQL's {@code isSameRM} is only true for the very same
     * resource and MariaDB rejects {@code TMJOIN} although its {@code isSameRM} says true (docs/xa-quirks.md).
     */
    default boolean joinsOnSameRM() {
        return false;
    }

    /** The XAResource this one delegates to, used to compare resources; {@code this} when it delegates to none. */
    default XAResource unwrap() {
        return this;
    }

    /** Wraps {@code delegate} under {@code name}, never joining branches. */
    static NamedXAResource wrap(String name, XAResource delegate) {
        return wrap(name, delegate, false);
    }

    /** Wraps {@code delegate} under {@code name}; {@code joinsOnSameRM} as in {@link #joinsOnSameRM()}. */
    static NamedXAResource wrap(String name, XAResource delegate, boolean joinsOnSameRM) {
        return new Wrapper(name, delegate, joinsOnSameRM);
    }

    /**
     * The one rule for a resource name, wherever one is given (a pool, a JMS factory, a recovery resource, a Spring
     * Boot {@code lockstep.datasources.<name>}, the recovery service's {@code resource.NAME.*} keys): 1 to 255
     * letters, digits, '.', '_' or '-'. A name the transaction manager records must be one the recovery service can
     * be configured with (invariant 3, docs/design.md), and also a bean name and a properties key. The one exception
     * is the name the transaction manager itself gives a plain XAResource, {@code "unnamed:" + class name}: it is never
     * configured, only matched against the same resource registered in process.
     *
     * @return {@code name}
     * @throws IllegalArgumentException naming the name and the rule
     */
    static String requireValidName(String name) {
        String problem = nameProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return name;
    }

    /** Null if {@code name} follows {@link #requireValidName}'s rule, else what is wrong with it and the rule. */
    static String nameProblem(String name) {
        Objects.requireNonNull(name, "resource name");
        if (name.isBlank()) {
            return "resource name '" + name + "' is blank: give every resource a stable, unique name of 1 to 255 "
                    + "letters, digits, '.', '_' or '-'";
        }
        // Called on every enlistment, so no regex and no copies.
        if (name.startsWith(UNNAMED_PREFIX)) {
            return null;
        }
        if (name.length() > 255) {
            return "resource name '" + name + "' is " + name.length() + " characters long: use 1 to 255 letters, "
                    + "digits, '.', '_' or '-'";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-')) {
                return "resource name '" + name + "' contains '" + c + "': use 1 to 255 letters, digits, '.', '_' "
                        + "or '-' (the name is recorded in the decision log and configured in the recovery service's "
                        + "properties and Spring Boot's)";
            }
        }
        return null;
    }

    /** How the transaction manager names a plain XAResource it was given without a name. */
    String UNNAMED_PREFIX = "unnamed:";

    /** A delegating wrapper; {@link #isSameRM} compares the unwrapped resources. */
    final class Wrapper implements NamedXAResource {
        private final String name;
        private final XAResource delegate;
        private final boolean joins;

        private Wrapper(String name, XAResource delegate, boolean joins) {
            this.name = requireValidName(name);
            this.delegate = Objects.requireNonNull(delegate, "delegate");
            this.joins = joins;
        }

        @Override public String resourceName() { return name; }
        @Override public boolean joinsOnSameRM() { return joins; }
        @Override public XAResource unwrap() { return delegate; }
        @Override public void commit(Xid xid, boolean onePhase) throws XAException { delegate.commit(xid, onePhase); }
        @Override public void end(Xid xid, int flags) throws XAException { delegate.end(xid, flags); }
        @Override public void forget(Xid xid) throws XAException { delegate.forget(xid); }
        @Override public int getTransactionTimeout() throws XAException { return delegate.getTransactionTimeout(); }
        @Override public int prepare(Xid xid) throws XAException { return delegate.prepare(xid); }
        @Override public Xid[] recover(int flag) throws XAException { return delegate.recover(flag); }
        @Override public void rollback(Xid xid) throws XAException { delegate.rollback(xid); }
        @Override public boolean setTransactionTimeout(int seconds) throws XAException {
            return delegate.setTransactionTimeout(seconds);
        }
        @Override public void start(Xid xid, int flags) throws XAException { delegate.start(xid, flags); }

        @Override
        public boolean isSameRM(XAResource other) throws XAException {
            XAResource target = other instanceof NamedXAResource named ? named.unwrap() : other;
            return delegate.isSameRM(target);
        }

        @Override
        public String toString() {
            return name + "(" + delegate + ")";
        }
    }
}
