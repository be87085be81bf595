package dev.lockstep.jms;

import dev.lockstep.tm.spi.ResourceVendor;
import java.util.List;

/**
 * lockstep-jms's vendors, found by the core with {@link java.util.ServiceLoader}: listed in
 * {@code META-INF/services/dev.lockstep.tm.spi.ResourceVendor$Provider}, as lockstep-jdbc lists its {@code JdbcVendors}.
 */
public final class JmsVendors implements ResourceVendor.Provider {

    @Override
    public List<ResourceVendor> vendors() {
        return List.of(ArtemisVendor.INSTANCE);
    }
}
