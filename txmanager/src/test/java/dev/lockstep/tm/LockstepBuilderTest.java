package dev.lockstep.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tm.spi.RecoverableResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LockstepBuilderTest {

    @TempDir
    Path dir;

    private String failure(UnaryOperator<Lockstep.Builder> settings) {
        Lockstep.Builder b = Lockstep.builder().nodeId("n1").logDirectory(dir);
        return assertThrows(RuntimeException.class, () -> settings.apply(b).build().close()).getMessage();
    }

    @Test
    void badSettingsFailInBuildWithAMessageNamingTheSetting() throws Exception {
        assertTrue(failure(b -> b.nodeId(null)).contains("nodeId is missing"));
        assertTrue(failure(b -> b.nodeId("x".repeat(35))).contains("at most 34"));
        assertTrue(failure(b -> b.nodeId("has space")).contains("nodeId 'has space'"));
        assertTrue(failure(b -> b.nodeId("..")).contains("nodeId '..'"), "must not name the parent directory");
        assertTrue(failure(b -> b.logDirectory(null)).contains("logDirectory is missing"));
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertTrue(failure(b -> b.logDirectory(file.resolve("log"))).contains("logDirectory"));
        assertTrue(failure(b -> b.defaultTimeout(Duration.ofMillis(1500))).contains("defaultTimeout must be a whole"));
        assertTrue(failure(b -> b.defaultTimeout(Duration.ZERO)).contains("defaultTimeout must be positive"));
        assertTrue(failure(b -> b.phaseThreads(0)).contains("phaseThreads"));
        assertTrue(failure(b -> b.logSegmentBytes(1000)).contains("logSegmentBytes"));
        assertTrue(failure(b -> b.retryMaxDelay(Duration.ofMillis(10))).contains("retryMaxDelay"));
        assertTrue(failure(b -> b.groupCommitMaxWait(Duration.ofMillis(-1))).contains("groupCommitMaxWait"));
    }

    @Test
    void limitsAreReportedUnderTheNameOfTheSettingWithTheirBoundAndWhereToSetIt() {
        String wait = failure(b -> b.groupCommitMaxWait(Duration.ofSeconds(2)));
        assertTrue(wait.startsWith("groupCommitMaxWait must be between 0s and 1s, got 2s: "), wait);
        assertTrue(wait.contains("Lockstep.Builder.groupCommitMaxWait") && wait.contains("group-commit-max-wait"),
                wait);
        String segment = failure(b -> b.logSegmentBytes(2L << 30));
        assertTrue(segment.startsWith("logSegmentBytes must be between 65536 (64 KiB) and 1073741824 (1 GiB), got "
                + "2147483648 (2 GiB): "), segment);
        assertTrue(segment.contains("Lockstep.Builder.logSegmentBytes") && segment.contains("log-segment-size"),
                segment);
    }

    @Test
    void buildingTwiceFromOneBuilderLeavesTheFirstInstanceAsItWasBuilt() {
        Lockstep.Builder b = Lockstep.builder().logDirectory(dir);
        try (Lockstep first = b.nodeId("first").build();
                Lockstep second = b.nodeId("second").drainTimeout(Duration.ofSeconds(3)).build()) {
            assertEquals("first", first.nodeId(), "the second build() must not rename the first instance");
            assertEquals("first", first.settings().nodeId());
            assertEquals(Duration.ofSeconds(10), first.settings().drainTimeout());
            assertTrue(first.toString().contains("node=first"), first.toString());
            assertEquals("second", second.nodeId());
            assertEquals(Duration.ofSeconds(3), second.settings().drainTimeout());
        }
    }

    @Test
    void aSecondLockstepOnTheSameNodeIsRefusedAndTheLockIsReleasedOnClose() {
        long first;
        try (Lockstep a = Lockstep.builder().nodeId("n1").logDirectory(dir).build()) {
            first = a.incarnation();
            var e = assertThrows(IllegalStateException.class,
                    () -> Lockstep.builder().nodeId("n1").logDirectory(dir).build());
            assertTrue(e.getMessage().contains("n1"), e.getMessage());
            // another node id in the same directory is fine
            Lockstep.builder().nodeId("n2").logDirectory(dir).build().close();
        }
        try (Lockstep b = Lockstep.builder().nodeId("n1").logDirectory(dir).build()) {
            assertEquals(first + 1, b.incarnation(), "every start is a new incarnation");
        }
    }

    @Test
    void resourceNamesAreUnique() {
        try (Lockstep ls = Lockstep.builder().nodeId("n1").logDirectory(dir).build()) {
            RecoverableResource a = resource("orders");
            ls.registerResource(a);
            ls.registerResource(a); // the same resource again is harmless
            var e = assertThrows(IllegalStateException.class, () -> ls.registerResource(resource("orders")));
            assertTrue(e.getMessage().contains("'orders' is already registered"), e.getMessage());
            assertTrue(ls.unregisterResource(a));
            ls.registerResource(resource("orders"));
        }
    }

    private static RecoverableResource resource(String name) {
        return new RecoverableResource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public RecoveryConnection connect() {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void closeIsIdempotentAndRefusesNewTransactions() throws Exception {
        Lockstep ls = Lockstep.builder().nodeId("n1").logDirectory(dir).build();
        ls.close();
        ls.close();
        var e = assertThrows(IllegalStateException.class, () -> ls.userTransaction().begin());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
