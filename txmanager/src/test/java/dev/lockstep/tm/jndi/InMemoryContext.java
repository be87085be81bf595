package dev.lockstep.tm.jndi;

import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import javax.naming.CompositeName;
import javax.naming.Context;
import javax.naming.Name;
import javax.naming.NameAlreadyBoundException;
import javax.naming.NameClassPair;
import javax.naming.NameNotFoundException;
import javax.naming.NameParser;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.NotContextException;
import javax.naming.OperationNotSupportedException;
import javax.naming.Reference;
import javax.naming.spi.InitialContextFactory;
import javax.naming.spi.NamingManager;

/**
 * A small hierarchical JNDI provider for tests: names split at '/', subcontexts must be created before binding in
 * them (as in real providers), and a bound {@link Reference} is turned into its object through
 * {@link NamingManager#getObjectInstance} at lookup, as containers do.
 */
final class InMemoryContext implements Context {

    /** Set {@code java.naming.factory.initial} to this class to get the shared root from {@code new InitialContext}. */
    public static final class Factory implements InitialContextFactory {
        static final InMemoryContext ROOT = new InMemoryContext();

        @Override
        public Context getInitialContext(Hashtable<?, ?> environment) {
            return ROOT;
        }
    }

    private final Map<String, Object> bindings = new HashMap<>();

    synchronized void clear() {
        bindings.clear();
    }

    private record Split(String head, String rest) {
    }

    private static Split split(String name) {
        int slash = name.indexOf('/');
        return slash < 0 ? new Split(name, null) : new Split(name.substring(0, slash), name.substring(slash + 1));
    }

    private synchronized InMemoryContext sub(Split s, String full) throws NamingException {
        Object o = bindings.get(s.head());
        if (o == null) {
            throw new NameNotFoundException(s.head() + " (of " + full + ") is not bound");
        }
        if (!(o instanceof InMemoryContext c)) {
            throw new NotContextException(s.head() + " is not a context");
        }
        return c;
    }

    @Override
    public Object lookup(String name) throws NamingException {
        Split s = split(name);
        if (s.rest() != null) {
            return sub(s, name).lookup(s.rest());
        }
        Object o;
        synchronized (this) {
            o = bindings.get(name);
        }
        if (o == null) {
            throw new NameNotFoundException(name + " is not bound");
        }
        if (o instanceof Reference) {
            try {
                return NamingManager.getObjectInstance(o, new CompositeName(name), this, null);
            } catch (NamingException e) {
                throw e;
            } catch (Exception e) {
                NamingException ne = new NamingException(e.getMessage());
                ne.initCause(e);
                throw ne;
            }
        }
        return o;
    }

    @Override
    public void bind(String name, Object obj) throws NamingException {
        Split s = split(name);
        if (s.rest() != null) {
            sub(s, name).bind(s.rest(), obj);
            return;
        }
        synchronized (this) {
            if (bindings.containsKey(name)) {
                throw new NameAlreadyBoundException(name);
            }
            bindings.put(name, obj);
        }
    }

    @Override
    public void rebind(String name, Object obj) throws NamingException {
        Split s = split(name);
        if (s.rest() != null) {
            sub(s, name).rebind(s.rest(), obj);
            return;
        }
        synchronized (this) {
            bindings.put(name, obj);
        }
    }

    @Override
    public void unbind(String name) throws NamingException {
        Split s = split(name);
        if (s.rest() != null) {
            sub(s, name).unbind(s.rest());
            return;
        }
        synchronized (this) {
            bindings.remove(name);
        }
    }

    @Override
    public Context createSubcontext(String name) throws NamingException {
        Split s = split(name);
        if (s.rest() != null) {
            return sub(s, name).createSubcontext(s.rest());
        }
        InMemoryContext c = new InMemoryContext();
        bind(name, c);
        return c;
    }

    @Override
    public Object lookup(Name name) throws NamingException {
        return lookup(name.toString());
    }

    @Override
    public void bind(Name name, Object obj) throws NamingException {
        bind(name.toString(), obj);
    }

    @Override
    public void rebind(Name name, Object obj) throws NamingException {
        rebind(name.toString(), obj);
    }

    @Override
    public void unbind(Name name) throws NamingException {
        unbind(name.toString());
    }

    @Override
    public Context createSubcontext(Name name) throws NamingException {
        return createSubcontext(name.toString());
    }

    @Override
    public void rename(Name oldName, Name newName) throws NamingException {
        throw new OperationNotSupportedException();
    }

    @Override
    public void rename(String oldName, String newName) throws NamingException {
        throw new OperationNotSupportedException();
    }

    @Override
    public NamingEnumeration<NameClassPair> list(Name name) throws NamingException {
        throw new OperationNotSupportedException();
    }

    @Override
    public NamingEnumeration<NameClassPair> list(String name) throws NamingException {
        throw new OperationNotSupportedException();
    }

    @Override
    public NamingEnumeration<javax.naming.Binding> listBindings(Name name) throws NamingException {
        throw new OperationNotSupportedException();
    }

    @Override
    public NamingEnumeration<javax.naming.Binding> listBindings(String name) throws NamingException {
        throw new OperationNotSupportedException();
    }

    @Override
    public void destroySubcontext(Name name) throws NamingException {
        unbind(name);
    }

    @Override
    public void destroySubcontext(String name) throws NamingException {
        unbind(name);
    }

    @Override
    public Object lookupLink(Name name) throws NamingException {
        return lookup(name);
    }

    @Override
    public Object lookupLink(String name) throws NamingException {
        return lookup(name);
    }

    @Override
    public NameParser getNameParser(Name name) throws NamingException {
        throw new OperationNotSupportedException();
    }

    @Override
    public NameParser getNameParser(String name) throws NamingException {
        throw new OperationNotSupportedException();
    }

    @Override
    public Name composeName(Name name, Name prefix) throws NamingException {
        throw new OperationNotSupportedException();
    }

    @Override
    public String composeName(String name, String prefix) {
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    @Override
    public Object addToEnvironment(String propName, Object propVal) {
        return null;
    }

    @Override
    public Object removeFromEnvironment(String propName) {
        return null;
    }

    @Override
    public Hashtable<?, ?> getEnvironment() {
        return new Hashtable<>();
    }

    @Override
    public void close() {
    }

    @Override
    public String getNameInNamespace() {
        return "";
    }
}
