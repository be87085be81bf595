package dev.lockstep.tm.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Node ids up to a pod's name with the database store, and the short names their XIDs carry. */
class StoreNodeIdTest {

    private static final String POD = "a".repeat(40) + "-7d9f8b6c5d-x2k4q";

    @Test
    void theStoreTakesUpTo63CharactersOfTheSameAlphabet() {
        assertEquals("a".repeat(63), LockstepXids.requireValidStoreNodeId("a".repeat(63)));
        assertEquals("orders-1", LockstepXids.requireValidStoreNodeId("orders-1"));
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> LockstepXids.requireValidStoreNodeId("a".repeat(64)));
        assertTrue(tooLong.getMessage().contains("at most 63"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LockstepXids.requireValidStoreNodeId("a".repeat(40) + " x"));
        assertThrows(IllegalArgumentException.class, () -> LockstepXids.requireValidNodeId("a".repeat(35)),
                "without the store, an XID must carry the id itself");
    }

    @Test
    void aLongIdIsCarriedAsItsStartAndTheStoresNumberAShortOneAsItself() {
        assertEquals("orders-1", LockstepXids.xidNodeName("orders-1", 7));
        String a = LockstepXids.xidNodeName(POD, 1);
        String b = LockstepXids.xidNodeName(POD, 0x1234567);
        assertEquals(LockstepXids.MAX_NODE_ID_LENGTH, a.length());
        assertEquals(LockstepXids.MAX_NODE_ID_LENGTH, b.length());
        assertTrue(a.endsWith(".1") && b.endsWith(".1234567") && a.startsWith("aaaa"), a + " " + b);
        assertNotEquals(a, b, "two numbers, two names");
        assertEquals(a, LockstepXids.requireValidNodeId(a), "an XID can carry it");
        assertEquals(LockstepXids.MAX_NODE_ID_LENGTH, LockstepXids.xidNodeName(POD, Long.MAX_VALUE).length(),
                "the largest number still fits");
    }
}
