package dev.lockstep.jms;

import jakarta.jms.Connection;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import jakarta.jms.TopicConnection;
import jakarta.jms.TopicSession;
import jakarta.jms.XASession;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * The connections and sessions that {@link LockstepConnectionFactory} hands out: pooled-jms' own, seen through a
 * proxy that changes one call, {@code Session.createQueue(String)}, which goes through the factory's
 * {@link QueueCache}. Every other call, {@code close()} included, is pooled-jms' unchanged, so enlistment, the return
 * of a session to its pool after the transaction and the handling of failed connections stay pooled-jms'. A proxy
 * implements each of the pooled object's JMS interfaces ({@code QueueSession}, {@code TopicSession},
 * {@code XASession}...), so casts that work on pooled-jms' objects work on it.
 */
final class LookupSavingProxies {

    private static final List<Class<?>> CONNECTION_TYPES = List.of(Connection.class, QueueConnection.class,
            TopicConnection.class, AutoCloseable.class);
    private static final List<Class<?>> SESSION_TYPES = List.of(Session.class, QueueSession.class,
            TopicSession.class, XASession.class, AutoCloseable.class);

    private LookupSavingProxies() {
    }

    /** {@code pooled} as the application sees it; null stays null (pooled-jms' answer once its pool is stopped). */
    static Connection connection(Connection pooled, QueueCache queues) {
        if (pooled == null) {
            return null;
        }
        return (Connection) proxy(pooled, CONNECTION_TYPES, (proxy, method, args) -> {
            Object result = call(pooled, method, args);
            return result instanceof Session s && method.getName().startsWith("create") ? session(s, queues) : result;
        });
    }

    static Session session(Session pooled, QueueCache queues) {
        return (Session) proxy(pooled, SESSION_TYPES, (proxy, method, args) -> {
            if (method.getName().equals("createQueue") && method.getParameterCount() == 1
                    && method.getParameterTypes()[0] == String.class) {
                return queues.createQueue(pooled, (String) args[0]);
            }
            if (method.getName().equals("getSession") && method.getParameterCount() == 0) {
                return proxy; // XASession.getSession() answers pooled-jms' session itself: keep the proxy
            }
            return call(pooled, method, args);
        });
    }

    private static Object proxy(Object pooled, List<Class<?>> types, InvocationHandler handler) {
        List<Class<?>> implemented = new ArrayList<>();
        for (Class<?> type : types) {
            if (type.isInstance(pooled)) {
                implemented.add(type);
            }
        }
        return Proxy.newProxyInstance(Session.class.getClassLoader(), implemented.toArray(Class<?>[]::new),
                (proxy, method, args) -> switch (method.getName()) {
                    case "equals" -> method.getParameterCount() == 1 ? proxy == args[0] : handler.invoke(proxy,
                            method, args);
                    case "hashCode" -> method.getParameterCount() == 0 ? System.identityHashCode(proxy)
                            : handler.invoke(proxy, method, args);
                    case "toString" -> method.getParameterCount() == 0 ? pooled.toString()
                            : handler.invoke(proxy, method, args);
                    default -> handler.invoke(proxy, method, args);
                });
    }

    private static Object call(Object pooled, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(pooled, args);
        } catch (InvocationTargetException e) {
            throw e.getCause(); // what pooled-jms threw, which the interface method declares
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(JmsMessage.PROXY_CALL_REFUSED + " " + method
                    + " could not be called on pooled-jms' " + pooled.getClass().getName() + ": " + e.getMessage(), e);
        }
    }
}
