package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hub between recovery and the streams: publication never waits for a client, a client that falls behind is
 * dropped (and only it), heartbeats, replay at subscription, and the end of every stream at close.
 */
class EventHubTest {

    private static final Duration NO_HEARTBEAT = Duration.ofHours(1);

    /** Records what its client writes. */
    private static class RecordingSink implements EventSink {
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void begin() {
        }

        @Override
        public void write(String frame) throws IOException {
            frames.add(frame);
        }

        @Override
        public void close() {
            closed.countDown();
        }

        String next() throws InterruptedException {
            String f = frames.poll(10, TimeUnit.SECONDS);
            assertNotNull(f, "no frame within 10 s");
            return f;
        }
    }

    /** A client whose socket does not drain: its first write blocks until the test lets it go. */
    private static final class StuckSink implements EventSink {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch writing = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void begin() {
        }

        @Override
        public void write(String frame) throws IOException {
            writing.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    private final List<EventHub> hubs = new ArrayList<>();

    private EventHub hub(int history, int clients, int queue, Duration heartbeat) {
        EventHub h = new EventHub(history, clients, queue, heartbeat);
        hubs.add(h);
        return h;
    }

    @AfterEach
    void close() {
        hubs.forEach(EventHub::close);
    }

    private static String id(String frame) {
        return frame.substring("id: ".length(), frame.indexOf('\n'));
    }

    @Test
    void aStuckClientIsDroppedWithoutStallingPublicationOrTheOthers() throws Exception {
        EventHub hub = hub(100, 4, 8, NO_HEARTBEAT);
        StuckSink stuck = new StuckSink();
        RecordingSink fast = new RecordingSink();
        assertTrue(hub.subscribe(null, stuck));
        assertTrue(hub.subscribe(null, fast));
        List<String> seen = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 1; i <= 50; i++) {
                hub.publish("commit", Map.of("n", i));
                seen.add(id(fast.next())); // the fast client keeps up, event by event
                if (i == 1) {
                    // The stuck client's writer must be in its first write before the flood: a writer thread that
                    // starts only after its client was dropped closes the stream without writing anything.
                    assertTrue(stuck.writing.await(10, TimeUnit.SECONDS));
                }
            }
        }, "publication waited for a client");
        assertEquals(1, hub.droppedClients(), "the stuck client fell behind after its 8 queued events");
        assertEquals(1, hub.clients(), "the fast one is still there");
        assertEquals(java.util.stream.IntStream.rangeClosed(1, 50).mapToObj(String::valueOf).toList(), seen);
        assertEquals(1, stuck.closed.getCount(), "its writer is still stuck in the write");
        stuck.release.countDown();
        assertTrue(stuck.closed.await(10, TimeUnit.SECONDS), "once the socket drains, the stream is closed");
    }

    @Test
    void aNewClientGetsTheMissedEventsThenTheLiveOnesWithoutAHole() throws Exception {
        EventHub hub = hub(100, 4, 64, NO_HEARTBEAT);
        for (int i = 1; i <= 5; i++) {
            hub.publish("scan_started", Map.of("n", i));
        }
        RecordingSink sink = new RecordingSink();
        assertTrue(hub.subscribe(3L, sink));
        hub.publish("scan_finished", Map.of("n", 6));
        assertEquals("4", id(sink.next()));
        assertEquals("5", id(sink.next()));
        assertEquals("id: 6\nevent: scan_finished\ndata: {\"n\":6}\n\n", sink.next());
    }

    @Test
    void withoutLastEventIdTheStreamStartsWithTheNextEvent() throws Exception {
        EventHub hub = hub(100, 4, 64, NO_HEARTBEAT);
        hub.publish("a", Map.of());
        RecordingSink sink = new RecordingSink();
        assertTrue(hub.subscribe(null, sink));
        hub.publish("b", Map.of());
        assertEquals("2", id(sink.next()));
    }

    @Test
    void anIdTheHistoryNoLongerHoldsIsAnnouncedAsAGap() throws Exception {
        EventHub hub = hub(2, 4, 64, NO_HEARTBEAT);
        for (int i = 1; i <= 5; i++) {
            hub.publish("commit", Map.of("n", i));
        }
        RecordingSink sink = new RecordingSink();
        assertTrue(hub.subscribe(1L, sink));
        String gap = sink.next();
        assertTrue(gap.startsWith("event: gap\ndata: {\"lastEventId\":1,\"oldestHeld\":4,\"newest\":5,"), gap);
        assertEquals("4", id(sink.next()));
        assertEquals("5", id(sink.next()));
    }

    @Test
    void anIdleStreamGetsHeartbeats() throws Exception {
        EventHub hub = hub(10, 4, 64, Duration.ofMillis(50));
        RecordingSink sink = new RecordingSink();
        assertTrue(hub.subscribe(null, sink));
        assertEquals(SseFormat.HEARTBEAT, sink.next());
        assertEquals(SseFormat.HEARTBEAT, sink.next());
    }

    @Test
    void onlySoManyStreamsAtOnce() {
        EventHub hub = hub(10, 2, 64, NO_HEARTBEAT);
        assertTrue(hub.subscribe(null, new RecordingSink()));
        assertTrue(hub.subscribe(null, new RecordingSink()));
        assertFalse(hub.subscribe(null, new RecordingSink()));
        assertEquals(2, hub.clients());
    }

    @Test
    void closeEndsEveryStreamAndRefusesNewOnes() throws Exception {
        EventHub hub = hub(10, 4, 64, NO_HEARTBEAT);
        RecordingSink a = new RecordingSink();
        RecordingSink b = new RecordingSink();
        assertTrue(hub.subscribe(null, a));
        assertTrue(hub.subscribe(null, b));
        hub.close();
        assertTrue(a.closed.await(10, TimeUnit.SECONDS));
        assertTrue(b.closed.await(10, TimeUnit.SECONDS));
        assertFalse(hub.subscribe(null, new RecordingSink()));
        assertEquals(0, hub.droppedClients(), "ended, not dropped");
        hub.publish("after", Map.of()); // a scan finishing during the stop publishes to no one
    }

    @Test
    void aClientThatWentAwayIsForgotten() throws Exception {
        EventHub hub = hub(10, 4, 64, NO_HEARTBEAT);
        RecordingSink gone = new RecordingSink() {
            @Override
            public void write(String frame) throws IOException {
                throw new IOException("broken pipe");
            }
        };
        assertTrue(hub.subscribe(null, gone));
        hub.publish("a", Map.of());
        assertTrue(gone.closed.await(10, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (hub.clients() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, hub.clients());
    }
}
