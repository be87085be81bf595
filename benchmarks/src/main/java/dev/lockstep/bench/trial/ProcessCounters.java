package dev.lockstep.bench.trial;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the trial JVM wrote and allocated. Bytes written: the {@code wchar} (bytes passed to write-like system
 * calls) and {@code write_bytes} (bytes sent to the block layer) of /proc/self/io; heap allocated: the JVM-wide
 * {@code com.sun.management.ThreadMXBean.getTotalThreadAllocatedBytes} (workers, the TM's own threads, and threads
 * that ended in between); CPU used: {@code com.sun.management.OperatingSystemMXBean.getProcessCpuTime} (every thread
 * of the JVM, the JIT and GC included).
 */
public final class ProcessCounters {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        if (THREADS.isThreadAllocatedMemorySupported() && !THREADS.isThreadAllocatedMemoryEnabled()) {
            THREADS.setThreadAllocatedMemoryEnabled(true);
        }
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private ProcessCounters() {
    }

    /** CPU time used by this process so far (user and system, all threads), in nanoseconds; -1 if unknown. */
    public static long cpuNanos() {
        return OS.getProcessCpuTime();
    }

    /** wchar and write_bytes of this process, or -1 each where /proc/self/io cannot be read. */
    public static long[] io() {
        long wchar = -1;
        long writeBytes = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("wchar:")) {
                    wchar = Long.parseLong(line.substring(6).trim());
                } else if (line.startsWith("write_bytes:")) {
                    writeBytes = Long.parseLong(line.substring(12).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or no I/O accounting: the report says "n/a".
        }
        return new long[] {wchar, writeBytes};
    }

    /**
     * Heap allocated by all threads of this JVM since it started, terminated threads included
     * ({@code getTotalThreadAllocatedBytes}, an approximation: a thread's current TLAB counts as it is filled).
     */
    public static long allocated() {
        return THREADS.getTotalThreadAllocatedBytes();
    }
}
