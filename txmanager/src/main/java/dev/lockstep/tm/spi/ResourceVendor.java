package dev.lockstep.tm.spi;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What Lockstep knows of one database or broker product, for the code that configures resources from a URL (the
 * Spring Boot starter, the recovery service): the word that names it in configuration, its URL prefixes and their
 * checks, its driver and the Maven coordinates to add when the driver is missing, and the factory of its
 * recoverable resource. One class per product owns all of it (PostgreSQL and MySQL/MariaDB in lockstep-jdbc, Artemis
 * in lockstep-jms), so no configuration code asks "is this MySQL?".
 *
 * <p>The transaction manager depends on no vendor: each module that brings vendors lists a {@link Provider} in
 * {@code META-INF/services/dev.lockstep.tm.spi.ResourceVendor$Provider}, and {@link #all()} finds them with
 * {@link java.util.ServiceLoader}. A vendor is looked up {@linkplain #forUrl by URL} or
 * {@linkplain #forKind by its configuration word}.
 */
public interface ResourceVendor {

    /** What kind of resource a vendor is: what a URL of it is configured as. */
    enum Category {
        /** A database reached through JDBC. */
        DATABASE,
        /** A message broker reached through JMS. */
        BROKER
    }

    /** The word that names the vendor in configuration, e.g. {@code "postgresql"} ({@code resource.NAME.kind}). */
    String kind();

    /** The product's name in messages, e.g. {@code "PostgreSQL"}. */
    String displayName();

    Category category();

    /** Whether {@code url} is one of this vendor's (it may still have a {@linkplain #urlProblem problem}). */
    boolean accepts(String url);

    /** What a URL of this vendor looks like, for messages, e.g. {@code "jdbc:postgresql://host:5432/db"}. */
    String urlForm();

    /**
     * Null if {@code url}, which this vendor {@linkplain #accepts accepts}, can be used; else what is wrong and what
     * to write instead.
     */
    default String urlProblem(String url) {
        return null;
    }

    /** The driver class the vendor needs on the class path, or null when it needs none beyond its module's. */
    default String driverClass() {
        return null;
    }

    /** The Maven coordinates ({@code group:artifact}) that bring {@link #driverClass()}, or null. */
    default String driverCoordinates() {
        return null;
    }

    /** Whether {@link #driverClass()} can be loaded (without initialising it). */
    default boolean driverPresent() {
        String name = driverClass();
        if (name == null) {
            return true;
        }
        try {
            Class.forName(name, false, getClass().getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** A hint for a configuration word that is not a vendor's but means this one (e.g. "mariadb"), or null. */
    default String hintFor(String word) {
        return null;
    }

    /** Where this vendor comes in listings (messages list the vendors in this order). */
    default int order() {
        return 100;
    }

    /**
     * The recovery resource named {@code name} at {@code url}; opens no connection (each scan opens its own).
     *
     * @throws IllegalArgumentException if the URL or the name cannot be used; the message says why
     */
    RecoverableResource recoverableResource(String name, String url, String user, String password);

    /** Brings the vendors of one module; listed in {@code META-INF/services}, loaded by {@link #all()}. */
    interface Provider {
        List<ResourceVendor> vendors();
    }

    /** Every vendor on the class path, in {@link #order()}. */
    static List<ResourceVendor> all() {
        return ResourceVendors.ALL;
    }

    /** The vendor whose URLs {@code url} is one of. */
    static Optional<ResourceVendor> forUrl(String url) {
        if (url == null) {
            return Optional.empty();
        }
        return all().stream().filter(v -> v.accepts(url)).findFirst();
    }

    /** The vendor named {@code kind} in configuration (case-insensitive). */
    static Optional<ResourceVendor> forKind(String kind) {
        if (kind == null) {
            return Optional.empty();
        }
        String k = kind.toLowerCase(Locale.ROOT);
        return all().stream().filter(v -> v.kind().equals(k)).findFirst();
    }

    /** The configuration words of {@code category}'s vendors (all vendors when null), for messages. */
    static String kinds(Category category) {
        return all().stream().filter(v -> category == null || v.category() == category).map(ResourceVendor::kind)
                .collect(Collectors.joining(", "));
    }
}
