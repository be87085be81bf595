package dev.lockstep.jdbc.vendor;

import dev.lockstep.tm.spi.ResourceVendor;
import java.util.List;

/**
 * The databases lockstep-jdbc knows, for {@link ResourceVendor#forUrl}: listed in
 * {@code META-INF/services/dev.lockstep.tm.spi.ResourceVendor$Provider}, so the Spring Boot starter and the recovery
 * service find them by URL without naming them.
 */
public final class JdbcVendors implements ResourceVendor.Provider {

    @Override
    public List<ResourceVendor> vendors() {
        return List.of(PostgreSqlVendor.INSTANCE, MySqlVendor.INSTANCE);
    }
}
