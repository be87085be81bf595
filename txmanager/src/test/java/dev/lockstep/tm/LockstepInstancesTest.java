package dev.lockstep.tm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LockstepInstancesTest {

    private static final String SETTING = "lockstep.node_id";

    @TempDir
    Path dir;

    @Test
    void buildAddsAnInstanceAndCloseRemovesIt() {
        Lockstep a = Lockstep.builder().nodeId("reg-a").logDirectory(dir).build();
        try {
            assertTrue(LockstepInstances.open().contains(a));
            assertSame(a, LockstepInstances.select("reg-a", SETTING, "test"));
        } finally {
            a.close();
        }
        assertFalse(LockstepInstances.open().contains(a), "a closed instance is no longer open");
        var e = assertThrows(IllegalStateException.class, () -> LockstepInstances.select("reg-a", SETTING, "test"));
        assertTrue(e.getMessage().contains("no open Lockstep has node id 'reg-a' (setting lockstep.node_id)"),
                e.getMessage());
    }

    @Test
    void selectionByNodeIdOrTheOnlyOne() {
        try (Lockstep a = Lockstep.builder().nodeId("sel-a").logDirectory(dir).build();
             Lockstep b = Lockstep.builder().nodeId("sel-b").logDirectory(dir).build()) {
            List<Lockstep> both = List.of(a, b);
            assertSame(b, LockstepInstances.select(both, "sel-b", SETTING, "test"));
            assertSame(a, LockstepInstances.select(both, " sel-a ", SETTING, "test"), "surrounding blanks ignored");
            assertSame(a, LockstepInstances.select(List.of(a), null, SETTING, "test"), "the only open one");
            assertSame(a, LockstepInstances.select(List.of(a), "", SETTING, "test"), "blank is unset");

            String several = assertThrows(IllegalStateException.class,
                    () -> LockstepInstances.select(both, null, SETTING, "Hibernate")).getMessage();
            assertTrue(several.contains("2 Lockstep instances are open") && several.contains("sel-a")
                    && several.contains("sel-b") && several.contains("set lockstep.node_id"), several);

            String unknown = assertThrows(IllegalStateException.class,
                    () -> LockstepInstances.select(both, "sel-c", SETTING, "Hibernate")).getMessage();
            assertTrue(unknown.contains("'sel-c'") && unknown.contains("sel-a") && unknown.contains(SETTING), unknown);
        }
    }

    @Test
    void noneOpenAndTwoWithTheSameNodeIdAreClearErrors() {
        String none = assertThrows(IllegalStateException.class,
                () -> LockstepInstances.select(List.of(), null, SETTING, "Hibernate")).getMessage();
        assertTrue(none.contains("no Lockstep is open") && none.contains(SETTING), none);

        try (Lockstep a = Lockstep.builder().nodeId("twin").logDirectory(dir.resolve("one")).build();
             Lockstep b = Lockstep.builder().nodeId("twin").logDirectory(dir.resolve("two")).build()) {
            String twins = assertThrows(IllegalStateException.class,
                    () -> LockstepInstances.select(List.of(a, b), "twin", SETTING, "Hibernate")).getMessage();
            assertTrue(twins.contains("2 open Lockstep instances have node id 'twin'"), twins);
        }
    }
}
