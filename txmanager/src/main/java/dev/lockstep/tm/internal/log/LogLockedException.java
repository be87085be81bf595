package dev.lockstep.tm.internal.log;

import java.io.IOException;
import java.nio.file.Path;

/** Another owner holds the log of this node id (docs/design.md invariant 4): starting a second writer would corrupt
 * it. */
public final class LogLockedException extends IOException {

    public LogLockedException(Path nodeDirectory, String nodeId, Path lockFile) {
        super("decision log " + nodeDirectory + " of node id '" + nodeId + "' is locked (" + lockFile.getFileName()
                + "): another process, or another Lockstep in this JVM, is using this node id's log; stop it or give"
                + " this instance its own nodeId");
    }
}
