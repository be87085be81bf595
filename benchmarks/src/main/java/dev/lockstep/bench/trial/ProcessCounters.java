package dev.lockstep.bench.trial;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the trial JVM wrote and allocated. Bytes written: the {@code wchar} (bytes passed to write-like system
 * calls) and {@code write_bytes} (bytes sent to the block layer) of /proc/self/io; heap allocated: the sum of
 * {@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes} over every live thread of the JVM (workers and
 * the TM's own threads; a thread that ends inside the window is not counted).
 */
public final class ProcessCounters {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        if (THREADS.isThreadAllocatedMemorySupported() && !THREADS.isThreadAllocatedMemoryEnabled()) {
            THREADS.setThreadAllocatedMemoryEnabled(true);
        }
    }

    private ProcessCounters() {
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

    /** Allocated bytes of every live thread, by thread id. */
    public static Map<Long, Long> allocation() {
        long[] ids = THREADS.getAllThreadIds();
        long[] bytes = THREADS.getThreadAllocatedBytes(ids);
        Map<Long, Long> m = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                m.put(ids[i], bytes[i]);
            }
        }
        return m;
    }

    /** Bytes allocated between two {@link #allocation()} snapshots (threads born in between count from zero). */
    public static long allocatedBetween(Map<Long, Long> before, Map<Long, Long> after) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return sum;
    }
}
