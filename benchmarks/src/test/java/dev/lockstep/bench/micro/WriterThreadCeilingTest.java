package dev.lockstep.bench.micro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer-thread ceiling answers a committer only after its record is forced, and shares forces under load. */
class WriterThreadCeilingTest {

    @Test
    void everyRecordIsForcedBeforeItsCommitterReturnsAndConcurrentOnesShareForces(@TempDir Path dir)
            throws Exception {
        int threads = 8;
        int each = 100;
        try (WriterThreadCeiling ceiling = new WriterThreadCeiling(dir, Adapter.COMMIT_RECORD_BYTES)) {
            ceiling.transaction(null);
            assertEquals(Map.of("forces", 1L, "records", 1L), ceiling.counters(), "a lone committer: one force");
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        ceiling.transaction(null);
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
            pool.shutdown();
            Map<String, Long> c = ceiling.counters();
            assertEquals(1 + threads * each, c.get("records"));
            assertNull(ceiling.selfCheck(threads * each, Map.of("records", (long) threads * each)));
            assertTrue(c.get("forces") < c.get("records"), c + ": concurrent records share forces");
        }
    }
}
