package dev.lockstep.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.spi.ResourceVendor;
import org.junit.jupiter.api.Test;

/** Artemis is found by its broker URLs through META-INF/services, and makes its recovery resource. */
class ArtemisVendorTest {

    @Test
    void foundByBrokerUrlNotByJdbcUrl() {
        assertSame(ArtemisVendor.INSTANCE, ResourceVendor.forUrl("tcp://mq:61616").orElseThrow());
        assertSame(ArtemisVendor.INSTANCE, ResourceVendor.forUrl("(tcp://a:61616,tcp://b:61616)?ha=true")
                .orElseThrow());
        assertSame(ArtemisVendor.INSTANCE, ResourceVendor.forKind("artemis").orElseThrow());
        assertTrue(ResourceVendor.forUrl("jdbc:postgresql://h/d").isEmpty(), "no JDBC vendor in this module");
        assertTrue(ResourceVendor.forUrl("localhost:61616").isEmpty());
        assertEquals(ResourceVendor.Category.BROKER, ArtemisVendor.INSTANCE.category());
        assertEquals("events", ArtemisVendor.INSTANCE.recoverableResource("events", "tcp://127.0.0.1:1", null, null)
                .name());
    }
}
