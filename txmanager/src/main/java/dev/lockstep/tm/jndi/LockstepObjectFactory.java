package dev.lockstep.tm.jndi;

import dev.lockstep.tm.Lockstep;
import dev.lockstep.tm.LockstepInstances;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.settings.DurationSyntax;
import dev.lockstep.tm.settings.Setting;
import dev.lockstep.tm.settings.Settings;
import dev.lockstep.tm.store.PostgresDecisionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.naming.Context;
import javax.naming.InitialContext;
import javax.naming.Name;
import javax.naming.NamingException;
import javax.naming.RefAddr;
import javax.naming.Reference;
import javax.naming.spi.ObjectFactory;
import javax.sql.DataSource;

/**
 * A JNDI {@link ObjectFactory} that creates Lockstep from a {@link Reference}'s attributes and returns, according to
 * the Reference's class name (Tomcat: the {@code type} attribute), its {@code UserTransaction},
 * {@code TransactionManager}, {@code TransactionSynchronizationRegistry} or the {@link Lockstep} itself.
 *
 * <p>One Lockstep per node id and JVM: every Reference naming the same {@code nodeId} gets the same instance, built
 * at the first lookup, as long as it stays open. Its attributes must then be the same in every Reference (an error
 * names the one that differs). Once closed (Tomcat: {@code closeMethod="close"} on the Lockstep resource, when the
 * web application stops), the next lookup builds a new instance.
 *
 * <p>Attributes: {@code nodeId} and {@code logDirectory} are required; the others are the settings of
 * {@link Lockstep.Builder} of the same name ({@link Settings#BUILDER}), read and checked as described there, with
 * durations in the one {@link DurationSyntax} ({@code 500ms}, {@code 60s}, {@code 2m}, {@code 1h}, {@code PT60S}).
 * An unknown attribute is an error, so that a misspelt setting is not
 * silently dropped. Tomcat's own attributes ({@code factory}, {@code auth}, {@code scope}, {@code singleton},
 * {@code description}) are ignored.
 *
 * <pre>{@code
 * <Context>
 *   <Transaction factory="dev.lockstep.tm.jndi.LockstepObjectFactory"
 *                nodeId="orders-1" logDirectory="/var/lib/lockstep" defaultTimeout="60s"/>
 *   <Resource name="TransactionManager" type="jakarta.transaction.TransactionManager"
 *             factory="dev.lockstep.tm.jndi.LockstepObjectFactory" nodeId="orders-1" logDirectory="/var/lib/lockstep"
 *             defaultTimeout="60s"/>
 * </Context>
 * }</pre>
 */
public final class LockstepObjectFactory implements ObjectFactory {

    /** The types a Reference may ask for. */
    public static final String USER_TRANSACTION = "jakarta.transaction.UserTransaction";
    public static final String TRANSACTION_MANAGER = "jakarta.transaction.TransactionManager";
    public static final String TRANSACTION_SYNCHRONIZATION_REGISTRY =
            "jakarta.transaction.TransactionSynchronizationRegistry";
    public static final String LOCKSTEP = "dev.lockstep.tm.Lockstep";

    /** Attributes the container adds to a Reference for itself (Tomcat's ResourceRef), not settings of ours. */
    private static final Set<String> CONTAINER_ATTRIBUTES = Set.of("factory", "auth", "scope", "singleton",
            "description", "closeMethod");

    /** Every attribute: the builder's settings that can be written as text, by name. */
    private static final Map<String, Setting<?>> SETTINGS = settings();

    /**
     * The database decision store's attributes (docs/cluster.md): the JNDI name of a DataSource of plain connections
     * to PostgreSQL (Tomcat: a {@code <Resource type="javax.sql.DataSource">} of its own pool), and the store's
     * schema, whether to create it, and the lease.
     */
    public static final String DECISION_STORE_DATA_SOURCE = "decisionStoreDataSource";
    public static final String DECISION_STORE_SCHEMA = "decisionStoreSchema";
    public static final String DECISION_STORE_CREATE_SCHEMA = "decisionStoreCreateSchema";
    public static final String DECISION_STORE_LEASE = "decisionStoreLease";
    private static final Set<String> STORE_ATTRIBUTES = Set.of(DECISION_STORE_DATA_SOURCE, DECISION_STORE_SCHEMA,
            DECISION_STORE_CREATE_SCHEMA, DECISION_STORE_LEASE);

    private static final Map<String, Built> BUILT = new HashMap<>();

    private record Built(Lockstep lockstep, Map<String, String> attributes) {
    }

    @Override
    public Object getObjectInstance(Object obj, Name name, Context nameCtx, Hashtable<?, ?> environment)
            throws NamingException {
        if (!(obj instanceof Reference ref)) {
            return null; // the ObjectFactory contract: not ours, let another factory try
        }
        String type = ref.getClassName();
        if (type == null || !List.of(USER_TRANSACTION, TRANSACTION_MANAGER, TRANSACTION_SYNCHRONIZATION_REGISTRY,
                LOCKSTEP).contains(type)) {
            throw error(TmMessage.JNDI_UNKNOWN_TYPE + " " + where(name) + "type '" + type
                    + "' is not one Lockstep provides: use "
                    + USER_TRANSACTION + ", " + TRANSACTION_MANAGER + ", " + TRANSACTION_SYNCHRONIZATION_REGISTRY
                    + " or " + LOCKSTEP, null);
        }
        Lockstep lockstep = lockstep(attributes(ref, name), name);
        return switch (type) {
            case USER_TRANSACTION -> lockstep.userTransaction();
            case TRANSACTION_MANAGER -> lockstep.transactionManager();
            case TRANSACTION_SYNCHRONIZATION_REGISTRY -> lockstep.transactionSynchronizationRegistry();
            default -> lockstep;
        };
    }

    /**
     * Closes the Lockstep this factory built for {@code nodeId}, if any is open; for a container's or application's
     * shutdown code. Returns whether there was one.
     */
    public static boolean close(String nodeId) {
        Built built;
        synchronized (BUILT) {
            built = BUILT.remove(nodeId);
        }
        if (built == null) {
            return false;
        }
        built.lockstep().close();
        return true;
    }

    private static Lockstep lockstep(Map<String, String> attributes, Name name) throws NamingException {
        String nodeId = attributes.get("nodeId");
        if (nodeId == null || nodeId.isBlank()) {
            throw error(TmMessage.JNDI_NODE_ID_MISSING + " " + where(name)
                    + "the attribute nodeId is missing: set it to the node id of this "
                    + "transaction manager (unique among the TMs sharing resources, stable across restarts)", null);
        }
        boolean store = attributes.containsKey(DECISION_STORE_DATA_SOURCE);
        if (!store && (attributes.get("logDirectory") == null || attributes.get("logDirectory").isBlank())) {
            throw error(TmMessage.JNDI_LOG_DIRECTORY_MISSING + " " + where(name)
                    + "the attribute logDirectory is missing: set it to the directory "
                    + "of the decision log, on a local disk that survives restarts, e.g. /var/lib/lockstep, or keep "
                    + "the decisions in PostgreSQL with " + DECISION_STORE_DATA_SOURCE + "=<JNDI name of a DataSource>",
                    null);
        }
        for (String key : STORE_ATTRIBUTES) {
            if (!store && attributes.containsKey(key)) {
                throw error(TmMessage.JNDI_ATTRIBUTE_INVALID + " " + where(name) + "the attribute " + key
                        + " needs " + DECISION_STORE_DATA_SOURCE + ": name the DataSource of the decision store, or "
                        + "remove " + key, null);
            }
        }
        synchronized (BUILT) {
            Built built = BUILT.get(nodeId);
            if (built != null && LockstepInstances.open().contains(built.lockstep())) {
                for (String key : union(built.attributes(), attributes)) {
                    String was = built.attributes().get(key);
                    String now = attributes.get(key);
                    if (was == null ? now != null : !was.equals(now)) {
                        throw error(TmMessage.JNDI_ATTRIBUTES_DIFFER + " " + where(name) + "Lockstep node '" + nodeId
                                + "' was created by an "
                                + "earlier lookup with " + key + "=" + was + ", this Reference says " + key + "="
                                + now + ": give every Reference of one nodeId the same attributes", null);
                    }
                }
                return built.lockstep();
            }
            for (Lockstep open : LockstepInstances.open()) {
                if (open.nodeId().equals(nodeId)) {
                    throw error(TmMessage.JNDI_NODE_ALREADY_OPEN + " " + where(name) + "a Lockstep with nodeId '"
                            + nodeId + "' is already open "
                            + "in this JVM (" + open + ") and was not created by this factory: bind that one with "
                            + "LockstepJndi.bind, or give this Reference another nodeId", null);
                }
            }
            Lockstep.Builder builder = Lockstep.builder();
            if (store) {
                builder.decisionStore(decisionStore(attributes, name));
            }
            for (Map.Entry<String, String> e : attributes.entrySet()) {
                if (STORE_ATTRIBUTES.contains(e.getKey())) {
                    continue;
                }
                try {
                    apply(builder, SETTINGS.get(e.getKey()), e.getValue());
                } catch (IllegalArgumentException bad) {
                    throw error(TmMessage.JNDI_ATTRIBUTE_INVALID + " " + where(name) + "the attribute " + e.getKey()
                            + "='" + e.getValue() + "' is not valid: " + bad.getMessage(), bad);
                }
            }
            Lockstep lockstep;
            try {
                lockstep = builder.build();
            } catch (RuntimeException e) {
                throw error(TmMessage.JNDI_BUILD_FAILED + " " + where(name) + "cannot build Lockstep node '" + nodeId
                        + "' from the attributes " + attributes + ": " + e.getMessage(), e);
            }
            BUILT.put(nodeId, new Built(lockstep, attributes));
            return lockstep;
        }
    }

    /** The decision store of the {@code decisionStore*} attributes, its DataSource looked up by its JNDI name. */
    private static PostgresDecisionStore decisionStore(Map<String, String> attributes, Name name)
            throws NamingException {
        String dsName = attributes.get(DECISION_STORE_DATA_SOURCE);
        Object found;
        try {
            found = new InitialContext().lookup(dsName);
        } catch (NamingException e) {
            throw error(TmMessage.JNDI_ATTRIBUTE_INVALID + " " + where(name) + "the attribute "
                    + DECISION_STORE_DATA_SOURCE + "='" + dsName + "' names nothing that can be looked up (" + e
                    + "): bind a DataSource of plain connections to the decision database under that name", e);
        }
        if (!(found instanceof DataSource ds)) {
            throw error(TmMessage.JNDI_ATTRIBUTE_INVALID + " " + where(name) + "the attribute "
                    + DECISION_STORE_DATA_SOURCE + "='" + dsName + "' names a " + (found == null ? "null"
                    : found.getClass().getName()) + ", not a javax.sql.DataSource", null);
        }
        try {
            PostgresDecisionStore.Builder b = PostgresDecisionStore.builder(ds);
            if (attributes.containsKey(DECISION_STORE_SCHEMA)) {
                b.schema(attributes.get(DECISION_STORE_SCHEMA));
            }
            if (attributes.containsKey(DECISION_STORE_CREATE_SCHEMA)) {
                String v = attributes.get(DECISION_STORE_CREATE_SCHEMA).strip();
                if (!v.equals("true") && !v.equals("false")) {
                    throw new IllegalArgumentException(DECISION_STORE_CREATE_SCHEMA + " must be true or false, got '"
                            + v + "'");
                }
                b.createSchema(Boolean.parseBoolean(v));
            }
            if (attributes.containsKey(DECISION_STORE_LEASE)) {
                b.lease(DurationSyntax.parse(attributes.get(DECISION_STORE_LEASE)));
            }
            return b.build();
        } catch (IllegalArgumentException bad) {
            throw error(TmMessage.JNDI_ATTRIBUTE_INVALID + " " + where(name) + "the decision store's attributes "
                    + "are not valid: " + bad.getMessage(), bad);
        }
    }

    /** The Reference's Lockstep attributes, sorted; an unknown one is an error naming the known ones. */
    private static Map<String, String> attributes(Reference ref, Name name) throws NamingException {
        Map<String, String> out = new TreeMap<>();
        Enumeration<RefAddr> all = ref.getAll();
        while (all.hasMoreElements()) {
            RefAddr addr = all.nextElement();
            String key = addr.getType();
            if (CONTAINER_ATTRIBUTES.contains(key)) {
                continue;
            }
            if (!SETTINGS.containsKey(key) && !STORE_ATTRIBUTES.contains(key)) {
                java.util.TreeSet<String> known = new java.util.TreeSet<>(SETTINGS.keySet());
                known.addAll(STORE_ATTRIBUTES);
                throw error(TmMessage.JNDI_UNKNOWN_ATTRIBUTE + " " + where(name) + "unknown attribute '" + key
                        + "': Lockstep's attributes are " + known, null);
            }
            Object content = addr.getContent();
            if (content != null) {
                out.put(key, content.toString());
            }
        }
        return out;
    }

    private static Map<String, Setting<?>> settings() {
        Map<String, Setting<?>> m = new HashMap<>();
        for (Setting<?> s : Settings.BUILDER) {
            if (s.readsText()) {
                m.put(s.name(), s);
            }
        }
        return Map.copyOf(m);
    }

    /** Reads {@code text} in the setting's syntax and sets it; the builder checks the bounds when it builds. */
    private static <T> void apply(Lockstep.Builder builder, Setting<T> setting, String text) {
        builder.set(setting, setting.parse(text));
    }

    static Duration duration(String v) {
        return DurationSyntax.parse(v);
    }

    private static List<String> union(Map<String, String> a, Map<String, String> b) {
        List<String> keys = new ArrayList<>(new TreeMap<>(a).keySet());
        for (String k : b.keySet()) {
            if (!keys.contains(k)) {
                keys.add(k);
            }
        }
        return keys;
    }

    private static String where(Name name) {
        return name == null ? "" : "JNDI name '" + name + "': ";
    }

    private static NamingException error(String message, Throwable cause) {
        NamingException e = new NamingException(message);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }
}
