package dev.lockstep.tm.internal.log;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run in a child JVM by {@link SymlinkLockTest}: tries the OS lock of the file named by its argument and prints HELD
 * (another process holds it) or FREE. Another process is the only honest witness: inside one JVM the lock table of
 * the JVM answers, not the kernel's.
 */
public final class LockProbeMain {

    private LockProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            System.out.println(lock == null ? "HELD" : "FREE");
        }
    }
}
