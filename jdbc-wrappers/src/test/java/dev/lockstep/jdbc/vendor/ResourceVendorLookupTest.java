package dev.lockstep.jdbc.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.spi.ResourceVendor;
import org.junit.jupiter.api.Test;

/** The JDBC vendors are found by URL and by configuration word through META-INF/services. */
class ResourceVendorLookupTest {

    @Test
    void foundByUrlAndByKind() {
        assertSame(PostgreSqlVendor.INSTANCE, ResourceVendor.forUrl("jdbc:postgresql://h:5432/d").orElseThrow());
        assertSame(MySqlVendor.INSTANCE, ResourceVendor.forUrl("jdbc:mysql://h:3306/d").orElseThrow());
        assertSame(MySqlVendor.INSTANCE, ResourceVendor.forUrl("jdbc:mysql+srv://h/d").orElseThrow());
        assertSame(PostgreSqlVendor.INSTANCE, ResourceVendor.forKind("postgresql").orElseThrow());
        assertSame(MySqlVendor.INSTANCE, ResourceVendor.forKind("MYSQL").orElseThrow());
        assertTrue(ResourceVendor.forUrl("jdbc:h2:mem:x").isEmpty());
    }

    @Test
    void ownTheirUrlChecksDriversAndCoordinates() {
        assertNull(MySqlVendor.INSTANCE.urlProblem("jdbc:mysql://h/d"));
        assertTrue(MySqlVendor.INSTANCE.urlProblem("jdbc:mariadb://h/d").contains("jdbc:mysql://host:port/db"));
        assertEquals("MariaDB is kind mysql", MySqlVendor.INSTANCE.hintFor("mariadb"));
        assertEquals("org.postgresql:postgresql", PostgreSqlVendor.INSTANCE.driverCoordinates());
        assertEquals("com.mysql:mysql-connector-j", MySqlVendor.INSTANCE.driverCoordinates());
        var e = assertThrows(IllegalArgumentException.class, () -> MySqlVendor.INSTANCE.recoverableResource("r",
                "jdbc:mysql://h/d?pinGlobalTxToPhysicalConnection=true", null, null));
        assertTrue(e.getMessage().contains("LKS-414"), e.getMessage());
        assertEquals("r", PostgreSqlVendor.INSTANCE.recoverableResource("r", "jdbc:postgresql://h/d", null, null)
                .name());
    }
}
