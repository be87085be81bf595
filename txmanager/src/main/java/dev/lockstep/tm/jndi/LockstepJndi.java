package dev.lockstep.tm.jndi;

import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.messages.TmMessage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.naming.Context;
import javax.naming.NameAlreadyBoundException;
import javax.naming.NameNotFoundException;
import javax.naming.NamingException;

/**
 * Binds a Lockstep's JTA objects at the names Jakarta EE containers use and Spring's {@code JtaTransactionManager}
 * looks up by default: {@value #USER_TRANSACTION}, {@value #TRANSACTION_MANAGER} and
 * {@value #TRANSACTION_SYNCHRONIZATION_REGISTRY}.
 *
 * <pre>{@code
 * LockstepJndi.bind(new InitialContext(), lockstep);   // creates java:comp if the context has none yet
 * ...
 * LockstepJndi.unbind(new InitialContext(), lockstep);
 * }</pre>
 *
 * <p>For a container that creates Lockstep itself from its configuration (Tomcat's {@code context.xml}), use
 * {@link LockstepObjectFactory} instead.
 */
public final class LockstepJndi {

    public static final String USER_TRANSACTION = "java:comp/UserTransaction";
    public static final String TRANSACTION_MANAGER = "java:comp/TransactionManager";
    public static final String TRANSACTION_SYNCHRONIZATION_REGISTRY = "java:comp/TransactionSynchronizationRegistry";

    private LockstepJndi() {
    }

    /** The three names and what {@link #bind} binds at each, in binding order. */
    public static Map<String, Object> bindings(Lockstep lockstep) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(USER_TRANSACTION, lockstep.userTransaction());
        m.put(TRANSACTION_MANAGER, lockstep.transactionManager());
        m.put(TRANSACTION_SYNCHRONIZATION_REGISTRY, lockstep.transactionSynchronizationRegistry());
        return m;
    }

    /**
     * Binds the UserTransaction, TransactionManager and TransactionSynchronizationRegistry of {@code lockstep} at the
     * three names, creating the subcontext {@code java:comp} if it is missing. A name already bound to the same
     * object is left as is; a name bound to anything else is an error, and nothing of this call stays bound.
     */
    public static void bind(Context context, Lockstep lockstep) throws NamingException {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(lockstep, "lockstep");
        Map<String, Object> done = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Object> e : bindings(lockstep).entrySet()) {
                if (bindOne(context, e.getKey(), e.getValue())) {
                    done.put(e.getKey(), e.getValue());
                }
            }
        } catch (NamingException | RuntimeException e) {
            for (String name : done.keySet()) {
                try {
                    context.unbind(name);
                } catch (NamingException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** Unbinds those of the three names that are bound to this Lockstep's objects; leaves any other binding alone. */
    public static void unbind(Context context, Lockstep lockstep) throws NamingException {
        for (Map.Entry<String, Object> e : bindings(lockstep).entrySet()) {
            Object bound;
            try {
                bound = context.lookup(e.getKey());
            } catch (NameNotFoundException notBound) {
                continue;
            }
            if (bound == e.getValue()) {
                context.unbind(e.getKey());
            }
        }
    }

    /** Binds one name; true if this call bound it, false if it was bound to {@code value} already. */
    private static boolean bindOne(Context context, String name, Object value) throws NamingException {
        try {
            context.bind(name, value);
            return true;
        } catch (NameNotFoundException noParent) {
            createParent(context, name);
            context.bind(name, value);
            return true;
        } catch (NameAlreadyBoundException taken) {
            Object bound = context.lookup(name);
            if (bound == value) {
                return false;
            }
            NamingException e = new NameAlreadyBoundException(TmMessage.JNDI_NAME_TAKEN + " " + name
                    + " is already bound to " + bound
                    + ": unbind it first (LockstepJndi.unbind for a Lockstep's objects), or bind in another context");
            e.initCause(taken);
            throw e;
        }
    }

    private static void createParent(Context context, String name) throws NamingException {
        String parent = name.substring(0, name.lastIndexOf('/'));
        try {
            context.createSubcontext(parent);
        } catch (NameAlreadyBoundException raced) {
            // another thread created it meanwhile: fine
        }
    }
}
