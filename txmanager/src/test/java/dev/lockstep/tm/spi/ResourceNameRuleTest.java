package dev.lockstep.tm.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one resource-name rule, used by the pools, the recovery resources, the Spring starter and the service. */
class ResourceNameRuleTest {

    @ParameterizedTest
    @ValueSource(strings = {"orders", "orders-db", "billing.db", "a_1", "A", "unnamed:com.example.Fake$1"})
    void accepts(String name) {
        assertNull(NamedXAResource.nameProblem(name));
        assertEquals(name, NamedXAResource.requireValidName(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "orders db", "p*g", "a:b", "tab\there", "ö"})
    void refusesNamingTheNameAndTheRule(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NamedXAResource.requireValidName(name));
        assertTrue(e.getMessage().startsWith("resource name '" + name + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("letters, digits, '.', '_' or '-'"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void refusesMoreThan255Characters() {
        assertNull(NamedXAResource.nameProblem("n".repeat(255)));
        assertTrue(NamedXAResource.nameProblem("n".repeat(256)).contains("256 characters"));
    }
}
