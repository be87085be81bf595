package dev.lockstep.recovery;

import dev.lockstep.tm.spi.RecoverableResource;
import java.util.Objects;

/**
 * One {@code resource.NAME.*} block of the configuration, validated.
 *
 * @param name the resource name, as the transaction managers record it in their COMMIT records
 * @param kind what it is
 * @param url its JDBC or broker URL
 * @param user the user, or null
 * @param password the password (from the file, the environment or a file), or null; never printed
 */
public record ResourceConfig(String name, ResourceKind kind, String url, String user, String password) {

    public ResourceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(url, "url");
    }

    /** The configuration key of attribute {@code attribute} of this resource, for messages. */
    public String key(String attribute) {
        return "resource." + name + "." + attribute;
    }

    /** The recovery resource; opens no connection. */
    public RecoverableResource create() throws ConfigException {
        return kind.create(this);
    }

    /** Without the password. */
    @Override
    public String toString() {
        return "ResourceConfig[name=" + name + ", kind=" + kind.configName() + ", url=" + url + ", user=" + user
                + ", password=" + (password == null ? "none" : "***") + "]";
    }
}
