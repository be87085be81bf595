package dev.lockstep.recoveryservice;

import dev.lockstep.tm.spi.RecoverableResource;
import dev.lockstep.tm.spi.ResourceVendor;
import java.util.Objects;

/**
 * One {@code resource.NAME.*} block of the configuration, validated.
 *
 * @param name the resource name, as the transaction managers record it in their COMMIT records
 * @param vendor what it is (its {@code kind} word), which also makes its recovery resource
 * @param url its JDBC or broker URL
 * @param user the user, or null
 * @param password the password (from the file, the environment or a file), or null; never printed
 */
public record ResourceConfig(String name, ResourceVendor vendor, String url, String user, String password) {

    public ResourceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(vendor, "vendor");
        Objects.requireNonNull(url, "url");
    }

    /** The configuration key of attribute {@code attribute} of this resource, for messages. */
    public String key(String attribute) {
        return "resource." + name + "." + attribute;
    }

    /** The recovery resource, made by its vendor; opens no connection. */
    public RecoverableResource create() throws ConfigException {
        try {
            return vendor.recoverableResource(name, url, user, password);
        } catch (IllegalArgumentException e) {
            // The URL asks for something recovery cannot work with (MySQL: pinGlobalTxToPhysicalConnection).
            throw new ConfigException(key("url"), key("url") + ": " + e.getMessage(), e);
        }
    }

    /** Without the password. */
    @Override
    public String toString() {
        return "ResourceConfig[name=" + name + ", kind=" + vendor.kind() + ", url=" + url + ", user=" + user
                + ", password=" + (password == null ? "none" : "***") + "]";
    }
}
