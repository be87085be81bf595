package dev.lockstep.tm.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogLayoutTest {

    @Test
    void namesSortNumericallyAndParseBack() {
        assertEquals("0000000000000002-0000000a.seg", LogLayout.segmentFileName(2, 10));
        assertEquals("000000000000000b.lock", LogLayout.incarnationLockFileName(11));
        Path d = Path.of("/x/node-1");
        List<Path> files = List.of(d.resolve("0000000000000002-0000000a.seg"), d.resolve("0000000000000002-00000001.seg"),
                d.resolve("000000000000000b.lock"), d.resolve("node.lock"), d.resolve("incarnation"),
                d.resolve("0000000000000003-00000001.seg"), d.resolve("000000000000000c.manifest"),
                d.resolve("000000000000000d.manifest.tmp"));
        assertEquals("000000000000000c.manifest", LogLayout.manifestFileName(12));
        assertEquals(List.of(2L, 3L, 11L, 12L), LogLayout.incarnationsIn(files), "a manifest names its incarnation,"
                + " a leftover temporary file does not");
        assertEquals(List.of(d.resolve("0000000000000002-00000001.seg"), d.resolve("0000000000000002-0000000a.seg")),
                LogLayout.segmentsIn(files, 2));
    }

    @Test
    void nodeIdsAreChecked() {
        assertEquals(Path.of("/l/a.B_9-x"), LogLayout.nodeDirectory(Path.of("/l"), "a.B_9-x"));
        for (String bad : new String[] {"", "..", ".", "a/b", "x".repeat(35), "é"}) {
            assertThrows(IllegalArgumentException.class, () -> LogLayout.checkNodeId(bad), bad);
        }
    }
}
