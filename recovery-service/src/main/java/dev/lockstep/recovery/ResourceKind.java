package dev.lockstep.recovery;

import dev.lockstep.jdbc.JdbcRecoverableResource;
import dev.lockstep.jms.ArtemisRecoverableResource;
import dev.lockstep.tm.spi.RecoverableResource;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The kinds of resource the service can recover ({@code resource.NAME.kind}), each with the check of its URL and the
 * factory of its recovery connections. Vendor knowledge beyond that lives in lockstep-jdbc and lockstep-jms.
 */
public enum ResourceKind {

    POSTGRESQL("postgresql", "a PostgreSQL JDBC URL, e.g. jdbc:postgresql://db1:5432/orders") {
        @Override
        boolean acceptsUrl(String url) {
            return url.startsWith("jdbc:postgresql:");
        }

        @Override
        RecoverableResource create(ResourceConfig r) {
            return JdbcRecoverableResource.postgresql(r.name(), r.url(), r.user(), r.password());
        }
    },

    /** MySQL and MariaDB, both through MySQL Connector/J. */
    MYSQL("mysql", "a MySQL Connector/J URL, e.g. jdbc:mysql://db2:3306/billing (MariaDB too)") {
        @Override
        boolean acceptsUrl(String url) {
            return url.startsWith("jdbc:mysql:") || url.startsWith("jdbc:mysql+srv:");
        }

        @Override
        RecoverableResource create(ResourceConfig r) throws ConfigException {
            try {
                return JdbcRecoverableResource.mysql(r.name(), r.url(), r.user(), r.password());
            } catch (SQLException e) {
                // The URL asks for something recovery cannot work with (pinGlobalTxToPhysicalConnection).
                throw new ConfigException(r.key("url"), r.key("url") + ": " + e.getMessage(), e);
            }
        }
    },

    ARTEMIS("artemis", "an Artemis broker URL, e.g. tcp://mq1:61616") {
        @Override
        boolean acceptsUrl(String url) {
            return url.indexOf("://") > 0;
        }

        @Override
        RecoverableResource create(ResourceConfig r) throws ConfigException {
            try {
                return new ArtemisRecoverableResource(r.name(), r.url(), r.user(), r.password());
            } catch (RuntimeException e) {
                // Artemis parses the URL when the factory is made; no connection is opened yet.
                throw new ConfigException(r.key("url"), r.key("url") + " = '" + r.url() + "' is not a broker URL "
                        + "Artemis accepts (" + e.getMessage() + "): write " + ARTEMIS.urlForm, e);
            }
        }
    };

    private final String configName;
    private final String urlForm;

    ResourceKind(String configName, String urlForm) {
        this.configName = configName;
        this.urlForm = urlForm;
    }

    /** The word used in {@code resource.NAME.kind}. */
    public String configName() {
        return configName;
    }

    /** What a URL of this kind looks like, for error messages. */
    public String urlForm() {
        return urlForm;
    }

    abstract boolean acceptsUrl(String url);

    /** The recovery resource; opens no connection (each scan opens its own). */
    abstract RecoverableResource create(ResourceConfig r) throws ConfigException;

    /** The kind named {@code word} in key {@code key}. */
    static ResourceKind of(String key, String word) throws ConfigException {
        for (ResourceKind k : values()) {
            if (k.configName.equals(word)) {
                return k;
            }
        }
        String hint = word.toLowerCase(Locale.ROOT).contains("maria") ? " (MariaDB is kind mysql)" : "";
        throw new ConfigException(key, key + " = '" + word + "' is not a kind of resource" + hint + ": write one of "
                + names());
    }

    /** The accepted kinds, for messages. */
    static String names() {
        return Arrays.stream(values()).map(ResourceKind::configName).collect(Collectors.joining(", "));
    }
}
