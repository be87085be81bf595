package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** What a reconnecting client of {@code /api/events} is replayed: everything after its id, or a gap. */
class EventHistoryTest {

    private static EventHistory withEvents(int capacity, int n) {
        EventHistory h = new EventHistory(capacity);
        for (int i = 1; i <= n; i++) {
            h.append(i % 2 == 0 ? "commit" : "scan_started", "{\"n\":" + i + "}");
        }
        return h;
    }

    private static List<Long> ids(EventHistory.Replay r) {
        return r.events().stream().map(FeedEvent::id).toList();
    }

    @Test
    void idsStartAtOneAndGrowByOne() {
        EventHistory h = new EventHistory(10);
        assertEquals(1, h.append("a", "{}").id());
        assertEquals(2, h.append("b", "{}").id());
        assertEquals(2, h.lastId());
    }

    @Test
    void aClientIsReplayedExactlyWhatCameAfterItsId() {
        EventHistory h = withEvents(10, 7);
        EventHistory.Replay r = h.after(4);
        assertFalse(r.gap());
        assertEquals(List.of(5L, 6L, 7L), ids(r));
        assertEquals("{\"n\":5}", r.events().get(0).json());
        assertEquals(List.of(), ids(h.after(7)), "up to date: nothing to replay");
        assertEquals(LongStream.rangeClosed(1, 7).boxed().toList(), ids(h.after(0)), "0 asks for the whole history");
        assertFalse(h.after(0).gap());
    }

    @Test
    void itKeepsOnlyTheNewestEvents() {
        EventHistory h = withEvents(3, 10);
        EventHistory.Replay r = h.after(7);
        assertFalse(r.gap(), "8, 9 and 10 are all still held");
        assertEquals(List.of(8L, 9L, 10L), ids(r));
        assertEquals(8, r.oldest());
    }

    @Test
    void anIdOlderThanTheHistoryIsAGapFollowedByEverythingHeld() {
        EventHistory h = withEvents(3, 10);
        EventHistory.Replay r = h.after(6);
        assertTrue(r.gap(), "event 7 is no longer held");
        assertEquals(List.of(8L, 9L, 10L), ids(r));
        assertTrue(h.after(0).gap());
    }

    @Test
    void anIdNewerThanAnyEventIsOfAnotherRunAndAGap() {
        EventHistory h = withEvents(5, 4);
        EventHistory.Replay r = h.after(900);
        assertTrue(r.gap());
        assertEquals(List.of(1L, 2L, 3L, 4L), ids(r));
        assertTrue(new EventHistory(5).after(1).gap(), "a fresh daemon has no event 1 yet");
        assertFalse(new EventHistory(5).after(0).gap());
    }

    @Test
    void anEmptyHistoryIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new EventHistory(0));
    }
}
