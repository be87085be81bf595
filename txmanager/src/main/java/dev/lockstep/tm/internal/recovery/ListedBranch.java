package dev.lockstep.tm.internal.recovery;

import dev.lockstep.tm.internal.xa.XaCalls;
import dev.lockstep.tm.internal.xa.XaCodes;
import java.util.HexFormat;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;

/** One branch listed by a resource, and where it stands in this pass. */
final class ListedBranch implements XaCalls.Failures {
    private static final HexFormat HEX = HexFormat.of();

    final ResourceScan scan;
    final Xid xid;
    boolean finished;
    String waitingFor;
    Throwable lastError;

    ListedBranch(ResourceScan scan, Xid xid) {
        this.scan = scan;
        this.xid = xid;
    }

    String bqualHex() {
        return HEX.formatHex(xid.getBranchQualifier());
    }

    @Override
    public void failed(Throwable t) {
        lastError = t;
    }

    /** The XA code of the last failed call as " (NAME(code))", or "" if it was not an XAException. */
    String code() {
        return lastError instanceof XAException e ? " (" + XaCodes.name(e.errorCode) + ")" : "";
    }
}
