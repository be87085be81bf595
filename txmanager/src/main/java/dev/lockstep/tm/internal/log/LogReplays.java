package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.log.CorruptLogException;
import dev.lockstep.tm.log.LogLayout;
import dev.lockstep.tm.log.LogReader;
import dev.lockstep.tm.log.ReplayResult;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A read-only replay of an incarnation that another owner may be changing meanwhile: its live process (rolling,
 * reclaiming), or a recovery that took it over (appending, retiring). Shared by the log opener and recovery.
 */
public final class LogReplays {

    /** Tries of one read-only replay. */
    private static final int TRIES = 5;

    private LogReplays() {
    }

    /**
     * Replays {@code incarnation} without its lock. A segment deleted between the manifest's read and its own, or a
     * manifest replaced during the replay, is tried again (with a short sleep), so a reclamation or roll of the owner
     * is not mistaken for damage; corruption that stays is reported after the last try. An incarnation retired
     * meanwhile reads as having nothing open (a retired or deleted manifest).
     */
    public static ReplayResult readOnly(LogStorage storage, Path nodeDir, long incarnation) throws IOException {
        Path manifestFile = nodeDir.resolve(LogLayout.manifestFileName(incarnation));
        for (int attempt = 1; ; attempt++) {
            try {
                byte[] before = storage.readSmallFile(manifestFile);
                ReplayResult replay = LogReader.replay(nodeDir, incarnation, LogFiles.source(storage));
                byte[] after = storage.readSmallFile(manifestFile);
                if (Arrays.equals(before, after) || attempt >= TRIES) {
                    return replay;
                }
            } catch (NoSuchFileException | CorruptLogException e) {
                if (attempt >= TRIES) {
                    throw e;
                }
            }
            try {
                Thread.sleep(20L * attempt);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while replaying incarnation " + incarnation + " in " + nodeDir, ie);
            }
        }
    }
}
