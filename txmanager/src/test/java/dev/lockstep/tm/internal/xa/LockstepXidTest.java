package dev.lockstep.tm.internal.xa;

import dev.lockstep.tm.spi.LockstepXids.GlobalId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;

class LockstepXidTest {

    @Test
    void carriesFormatNodeIncarnationBeginTimeoutAndSequence() {
        XidFactory f = new XidFactory("orders-1", 42);
        byte[] gtrid = f.newGtrid(1_700_000_000_123L, 60);
        LockstepXid xid = LockstepXid.branch(gtrid, 3);
        assertEquals(LockstepXid.FORMAT_ID, xid.getFormatId());
        assertTrue(xid.getFormatId() > 0, "MariaDB rejects -1; JTA reserves negative ids");
        assertEquals(3, xid.branchNumber());
        assertTrue(xid.getBranchQualifier().length > 0, "never an empty qualifier");
        GlobalId g = LockstepXid.parse(xid);
        assertEquals(new GlobalId("orders-1", 42, java.time.Instant.ofEpochMilli(1_700_000_000_123L), 60, 1), g);
        assertEquals(1_700_000_060_123L, g.deadlineMillis());
        assertEquals("orders-1:42:1/b3", xid.toString());
    }

    @Test
    void longestNodeIdFitsIn64Bytes() {
        String node = "n".repeat(LockstepXid.MAX_NODE_ID_LENGTH);
        byte[] gtrid = new XidFactory(node, Long.MAX_VALUE).newGtrid(Long.MAX_VALUE, Integer.MAX_VALUE);
        assertEquals(Xid.MAXGTRIDSIZE, gtrid.length);
        assertEquals(node, LockstepXid.parseGtrid(gtrid).nodeId());
        var e = assertThrows(IllegalArgumentException.class, () -> new XidFactory(node + "x", 1));
        assertTrue(e.getMessage().contains("nodeId") && e.getMessage().contains("at most 34"), e.getMessage());
    }

    @Test
    void nodeIdIsValidatedWithAMessageThatSaysWhatToDo() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> XidFactory.validateNodeId(null))
                .getMessage().contains("nodeId is missing"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> XidFactory.validateNodeId("a b"))
                .getMessage().contains("letters, digits"));
        assertEquals("a.b_c-1", XidFactory.validateNodeId("a.b_c-1"));
    }

    @Test
    void uniqueWithinAndAcrossIncarnations() {
        Set<String> seen = new HashSet<>();
        for (long inc = 1; inc <= 3; inc++) {
            XidFactory f = new XidFactory("n", inc);
            for (int i = 0; i < 1000; i++) {
                assertTrue(seen.add(java.util.HexFormat.of().formatHex(f.newGtrid(5, 60))));
            }
        }
    }

    @Test
    void foreignXidsAreNotOurs() {
        Xid foreign = new Xid() {
            public int getFormatId() {
                return 0x1234;
            }

            public byte[] getGlobalTransactionId() {
                return new byte[] {1, 2, 3};
            }

            public byte[] getBranchQualifier() {
                return new byte[] {1};
            }
        };
        assertNull(LockstepXid.parse(foreign));
        assertNull(LockstepXid.parseGtrid(new byte[40]));
        LockstepXid ours = LockstepXid.branch(new XidFactory("n", 1).newGtrid(1, 1), 1);
        assertFalse(ours.sameAs(foreign));
    }

    @Test
    void equalityIsByContent() {
        byte[] g = new XidFactory("n", 1).newGtrid(1, 1);
        LockstepXid a = LockstepXid.branch(g, 1);
        LockstepXid b = LockstepXid.of(g, a.getBranchQualifier());
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, LockstepXid.branch(g, 2));
        assertThrows(IllegalArgumentException.class, () -> LockstepXid.branch(g, 0));
    }

    @Test
    void xaCodesHaveNamesAndMeanings() {
        assertEquals("XAER_RMFAIL(-7)", XaCodes.name(XAException.XAER_RMFAIL));
        assertEquals(XaCodes.PrepareOutcome.READ_ONLY, XaCodes.ofVote(XAResource.XA_RDONLY));
        assertEquals(XaCodes.PrepareOutcome.ROLLED_BACK, XaCodes.ofPrepareError(XAException.XA_RBDEADLOCK));
        assertEquals(XaCodes.PhaseTwoOutcome.RETRY, XaCodes.ofPhaseTwoError(XAException.XAER_RMERR, true));
        assertEquals(XaCodes.PhaseTwoOutcome.NOT_FOUND, XaCodes.ofPhaseTwoError(XAException.XAER_NOTA, true));
        assertEquals(XaCodes.PhaseTwoOutcome.DONE, XaCodes.ofPhaseTwoError(XAException.XAER_NOTA, false));
    }
}
