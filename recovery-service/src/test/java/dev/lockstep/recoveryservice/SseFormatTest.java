package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.tm.recovery.RecoveryAction;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The text of the event stream: fields, blank-line ends, data that cannot break out of its event. */
class SseFormatTest {

    @Test
    void anEventIsItsIdTypeAndDataThenABlankLine() {
        assertEquals("id: 42\nevent: commit\ndata: {\"ok\":true}\n\n",
                SseFormat.frame(new FeedEvent(42, "commit", "{\"ok\":true}")));
    }

    @Test
    void everyLineOfTheDataIsADataLineSoNoTextEndsTheEventEarly() {
        String frame = SseFormat.frame("7", "x", "one\n\nid: 99\r\nevent: forged\rlast");
        assertEquals("id: 7\nevent: x\ndata: one\ndata: \ndata: id: 99\ndata: event: forged\ndata: last\n\n", frame);
    }

    @Test
    void aGapHasNoIdSoTheClientsLastIdStays() {
        assertEquals("event: gap\ndata: {}\n\n", SseFormat.frame(null, "gap", "{}"));
    }

    @Test
    void theHeartbeatIsAComment() {
        assertEquals(": heartbeat\n\n", SseFormat.HEARTBEAT);
    }

    @Test
    void anIdOrTypeWithALineBreakIsABug() {
        assertThrows(IllegalArgumentException.class, () -> SseFormat.frame("1\n", "x", "{}"));
        assertThrows(IllegalArgumentException.class, () -> SseFormat.frame("1", "x\rid: 5", "{}"));
    }

    @Test
    void anActionsJsonIsOneDataLineEvenWhenItsDetailHasLineBreaks() throws Exception {
        RecoveryAction a = new RecoveryAction(Instant.parse("2026-11-21T10:00:00Z"), RecoveryAction.Kind.COMMIT,
                false, "orders-1", "01086f72", "00000001", "orders-db", "XAER_RMFAIL\nconnection reset\r\nretry");
        EventHub hub = new EventHub(10, 1, 10, java.time.Duration.ofSeconds(15));
        FeedEvent e = hub.publish("commit", RecoveryFeed.action(a));
        String frame = SseFormat.frame(e);
        String[] lines = frame.split("\n", -1);
        assertEquals(5, lines.length, Arrays.toString(lines)); // id, event, data, blank, "" after the last \n
        assertEquals("", lines[3]);
        String data = lines[2].substring("data: ".length());
        assertEquals("XAER_RMFAIL\nconnection reset\r\nretry", new ObjectMapper().readTree(data).get("detail")
                .asText());
        assertEquals("COMMIT", new ObjectMapper().readTree(data).get("kind").asText());
    }
}
