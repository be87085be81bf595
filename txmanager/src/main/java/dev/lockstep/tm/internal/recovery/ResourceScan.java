package dev.lockstep.tm.internal.recovery;

import dev.lockstep.tm.spi.RecoverableResource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.transaction.xa.Xid;

/** What one resource's {@code recover()} answered in this pass. */
final class ResourceScan {
    final RecoverableResource resource;
    RecoverableResource.RecoveryConnection connection;
    boolean reachable;
    boolean skipped;
    int foreign;
    String error;
    /** Written by the asking thread, read after its join. */
    List<Xid> answer;
    Throwable failure;
    final List<Xid> ours = new ArrayList<>();

    ResourceScan(RecoverableResource resource) {
        this.resource = resource;
    }

    String name() {
        return resource.name();
    }

    boolean lists(byte[] gtrid, byte[] bqual) {
        for (Xid x : ours) {
            if (Arrays.equals(x.getGlobalTransactionId(), gtrid) && Arrays.equals(x.getBranchQualifier(), bqual)) {
                return true;
            }
        }
        return false;
    }
}
