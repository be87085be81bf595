package dev.lockstep.bench.trial;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the trial JVM wrote and allocated. Bytes written: the {@code wchar} (bytes passed to write-like system
 * calls) and {@code write_bytes} (bytes sent to the block layer) of /proc/self/io; heap allocated: the JVM-wide
 * {@code com.sun.management.ThreadMXBean.getTotalThreadAllocatedBytes} (workers, the TM's own threads, and threads
 * that ended in between); CPU used: {@code com.sun.management.OperatingSystemMXBean.getProcessCpuTime} (every thread
 * of the JVM, GC included), less what the JIT compiler threads used meanwhile ({@code /proc/self/task/<tid>/stat} of
 * the threads named {@code C1/C2 CompilerThre...}): at a few hundred transactions a second a window of seconds still
 * holds compilations, which would charge each system for how much code it has rather than what a transaction costs.
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

    /** The process CPU time and each JIT compiler thread's CPU time at one moment. */
    public record CpuSample(long processNanos, Map<String, Long> compilerNanosByTid) {

        /**
         * {processNanos, jitNanos} used since {@code before}: the process's CPU time less the compiler threads',
         * and the compiler threads'; -1 each if unknown. A compiler thread that ended in between is not subtracted.
         */
        public long[] since(CpuSample before) {
            if (processNanos < 0 || before.processNanos < 0) {
                return new long[] {-1, -1};
            }
            long jit = 0;
            for (Map.Entry<String, Long> e : compilerNanosByTid.entrySet()) {
                jit += e.getValue() - before.compilerNanosByTid.getOrDefault(e.getKey(), 0L);
            }
            return new long[] {processNanos - before.processNanos - jit, jit};
        }
    }

    /** Now: the process's CPU time and its JIT compiler threads' (none where /proc cannot be read). */
    public static CpuSample cpu() {
        Map<String, Long> compilers = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended while listed
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                if (open < 0 || close < open || !stat.substring(open + 1, close).contains("CompilerThre")) {
                    continue;
                }
                String[] f = stat.substring(close + 2).split(" ");
                // After "(comm) ": state is field 3 of stat(5), so utime (14) and stime (15) are at 11 and 12.
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                compilers.put(task.getFileName().toString(), ticks * NANOS_PER_TICK);
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: nothing subtracted.
        }
        return new CpuSample(OS.getProcessCpuTime(), compilers);
    }

    /** USER_HZ: clock ticks per second of /proc's times; 100 on Linux for every architecture in use. */
    private static final long NANOS_PER_TICK = 10_000_000L;

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
