package dev.lockstep.tm.internal.recovery;

import dev.lockstep.tm.internal.xa.LockstepXid;
import dev.lockstep.tm.log.Gtrid;
import dev.lockstep.tm.spi.LockstepXids.GlobalId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One transaction with branches listed in this pass. */
final class ListedTx {
    final Gtrid gtrid;
    final GlobalId parsed;
    final List<ListedBranch> branches = new ArrayList<>();

    ListedTx(Gtrid gtrid, GlobalId parsed) {
        this.gtrid = gtrid;
        this.parsed = parsed;
    }

    IncKey key() {
        return new IncKey(parsed.nodeId(), parsed.incarnation());
    }

    ListedBranch find(ResourceScan s, byte[] bqual) {
        for (ListedBranch b : branches) {
            if (b.scan == s && Arrays.equals(b.xid.getBranchQualifier(), bqual)) {
                return b;
            }
        }
        return null;
    }
}
