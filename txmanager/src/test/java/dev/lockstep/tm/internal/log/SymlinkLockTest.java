package dev.lockstep.tm.internal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 4 (one writer per incarnation) through a symbolic link: the in-JVM guard of {@link FileLogStorage} must
 * recognise the same lock file under another name, or its probe opens and closes a second channel on the file, and
 * Linux drops the process's lock when any of its channels on the file closes.
 */
class SymlinkLockTest {

    @TempDir
    Path dir;

    /*
     * Scenario: the lock of <dir>/real/node.lock is held; a second owner probes <dir>/link/node.lock, where link is a
     * symbolic link to real.
     * Expected: the probe is refused (null); a child JVM then finds the OS lock still held; after the holder closes,
     * the child finds it free.
     */
    @Test
    void aProbeThroughASymlinkIsRefusedAndTheOsLockStaysHeld() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        FileLogStorage storage = new FileLogStorage();
        LogStorage.LockHandle held = storage.tryLock(real.resolve("node.lock"));
        assertNotNull(held);
        try {
            assertNull(storage.tryLock(link.resolve("node.lock")), "the same file through a symlink is held");
            assertNull(storage.tryLock(dir.resolve("link/../real/./node.lock")), "and under a non-normal name");
            assertEquals("HELD", probeFromChildJvm(real.resolve("node.lock")),
                    "the probe must not have released the process's OS lock");
        } finally {
            held.close();
        }
        assertEquals("FREE", probeFromChildJvm(real.resolve("node.lock")));
        try (LogStorage.LockHandle again = storage.tryLock(link.resolve("node.lock"))) {
            assertNotNull(again, "free again, also through the link");
        }
    }

    private static String probeFromChildJvm(Path file) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx32m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), LockProbeMain.class.getName(), file.toString()))
                .redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
