package dev.lockstep.tm.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.internal.log.LogChannel;
import dev.lockstep.tm.internal.log.LogStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The durability model of {@link SimDisk}, which the log's crash sweeps rely on. */
class SimDiskTest {

    private static final Path DIR = Path.of("/d");
    private static final Path FILE = DIR.resolve("f.seg");

    @Test
    void unforcedPagesAreKeptLostOrTornAndAForceMakesThemDurable() throws IOException {
        SimDisk disk = new SimDisk();
        SimDisk.Process p = disk.process("p");
        p.createDirectories(DIR);
        LogChannel ch = p.createSegment(FILE, new byte[] {1, 2, 3}, 8192);
        p.forceDirectory(DIR);
        p.forceDirectory(Path.of("/"));
        assertEquals(1, disk.crashImages(new Random(1), 100).size(), "nothing pending");
        byte[] page = new byte[4096];
        java.util.Arrays.fill(page, (byte) 7);
        ch.write(ByteBuffer.wrap(page), 4096);
        List<SimDisk> images = disk.crashImages(new Random(1), 100);
        assertEquals(3, images.size(), "one page: durable, new, torn");
        Set<String> seen = new HashSet<>();
        for (SimDisk image : images) {
            byte[] c = image.content(FILE);
            int sevens = 0;
            for (int i = 4096; i < 8192; i++) {
                sevens += c[i] == 7 ? 1 : 0;
            }
            assertEquals(0, sevens % 512, "whole sectors");
            seen.add(sevens == 0 ? "old" : sevens == 4096 ? "new" : "torn");
            assertEquals(1, c[0]);
        }
        assertTrue(seen.contains("old") && seen.contains("new"), seen.toString());
        ch.force();
        assertEquals(1, disk.crashImages(new Random(1), 100).size());
        assertEquals(7, disk.crashImages(new Random(1), 100).get(0).content(FILE)[5000]);
    }

    @Test
    void directoryEntriesArePendingUntilTheDirectoryIsForced() throws IOException {
        SimDisk disk = new SimDisk();
        SimDisk.Process p = disk.process("p");
        p.createDirectories(DIR);
        p.forceDirectory(Path.of("/"));
        p.createSegment(FILE, new byte[] {1}, 4096);
        List<SimDisk> images = disk.crashImages(new Random(2), 100);
        assertEquals(2, images.size());
        List<Boolean> exists = new ArrayList<>();
        for (SimDisk image : images) {
            exists.add(image.content(FILE) != null);
        }
        assertTrue(exists.contains(true) && exists.contains(false), exists.toString());
        p.forceDirectory(DIR);
        p.delete(FILE);
        assertNull(disk.content(FILE));
        assertEquals(2, disk.crashImages(new Random(2), 100).size(), "the delete may not have persisted");
        p.forceDirectory(DIR);
        assertNull(disk.crashImages(new Random(2), 100).get(0).content(FILE));
    }

    @Test
    void replaceAtomicallyIsFourOperationsAndAlwaysLeavesOldOrNew() throws IOException {
        SimDisk disk = new SimDisk();
        SimDisk.Process p = disk.process("p");
        p.createDirectories(DIR);
        p.forceDirectory(Path.of("/"));
        Path m = DIR.resolve("x.manifest");
        p.replaceAtomically(m, new byte[] {1});
        long before = disk.operations();
        List<byte[]> seen = new ArrayList<>();
        disk.listener((index, op, path) -> {
            for (SimDisk image : disk.crashImages(new Random(index), 50)) {
                seen.add(image.content(m));
            }
        });
        p.replaceAtomically(m, new byte[] {2, 2});
        disk.listener(null);
        assertEquals(4, disk.operations() - before);
        for (byte[] content : seen) {
            assertTrue(java.util.Arrays.equals(content, new byte[] {1}) || java.util.Arrays.equals(content,
                    new byte[] {2, 2}), java.util.Arrays.toString(content));
        }
        assertArrayEquals(new byte[] {2, 2}, disk.crashImages(new Random(3), 10).get(0).content(m));
    }

    @Test
    void injectedFailuresHappenBeforeAfterOrTorn() throws IOException {
        SimDisk disk = new SimDisk();
        SimDisk.Process p = disk.process("p");
        p.createDirectories(DIR);
        LogChannel ch = p.createSegment(FILE, new byte[] {1}, 4096);
        disk.failAt(disk.operations(), SimDisk.FailMode.TORN);
        assertThrows(IOException.class, () -> ch.write(ByteBuffer.wrap(new byte[] {9, 9, 9, 9}), 100));
        assertArrayEquals(new byte[] {9, 9, 0, 0}, java.util.Arrays.copyOfRange(disk.content(FILE), 100, 104));
        disk.failAt(disk.operations(), SimDisk.FailMode.AFTER);
        assertThrows(IOException.class, ch::force);
        p.forceDirectory(DIR);
        p.forceDirectory(Path.of("/"));
        assertEquals(1, disk.crashImages(new Random(4), 10).size(), "the failed force did persist");
        disk.failAt(disk.operations(), SimDisk.FailMode.BEFORE);
        assertThrows(IOException.class, () -> p.delete(FILE));
        assertNotNull(disk.content(FILE), "no effect");
    }

    @Test
    void locksBelongToAProcessAndACrashReleasesThem() throws IOException {
        SimDisk disk = new SimDisk();
        SimDisk.Process a = disk.process("a");
        SimDisk.Process b = disk.process("b");
        a.createDirectories(DIR);
        LogStorage.LockHandle held = a.tryLock(DIR.resolve("node.lock"));
        assertNotNull(held);
        assertNull(a.tryLock(DIR.resolve("node.lock")), "a second owner in the same process is refused too");
        assertNull(b.tryLock(DIR.resolve("node.lock")));
        a.crash();
        assertNotNull(b.tryLock(DIR.resolve("node.lock")));
        SimDisk.Process c = disk.copy().process("c");
        assertNotNull(c.tryLock(DIR.resolve("node.lock")), "a copy (a stopped machine) has no locks");
        assertThrows(java.nio.file.NoSuchFileException.class, () -> c.tryLock(DIR.resolve("other/x.lock")));
    }
}
