package dev.lockstep.tm.recovery;

import dev.lockstep.tm.messages.TmMessage;
import java.nio.file.Path;

/** Another recovery (a daemon, a one-off scan or an in-process recovery) already works on a node's logs. */
public final class RecoveryLockedException extends IllegalStateException {

    private final String nodeId;
    private final Path lockFile;

    public RecoveryLockedException(String nodeId, Path lockFile) {
        super(TmMessage.RECOVERY_LOCKED + " another recovery already works on the logs of node '" + nodeId
                + "' (it holds " + lockFile
                + "): only one recovery per node may run; stop the other one (a recovery daemon, a 'scan', or an "
                + "application running recovery in-process), or use the read-only commands (list, log dump)");
        this.nodeId = nodeId;
        this.lockFile = lockFile;
    }

    public String nodeId() {
        return nodeId;
    }

    public Path lockFile() {
        return lockFile;
    }
}
