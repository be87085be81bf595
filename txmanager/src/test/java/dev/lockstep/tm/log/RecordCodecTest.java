package dev.lockstep.tm.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RecordCodecTest {

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static Stream<LogRecord> records() {
        byte[] gtrid = bytes(34, 1);
        return Stream.of(
                new CommitRecord(gtrid, 1_700_000_000_123L, List.of(
                        new CommitRecord.RecordedBranch(bytes(4, 2), "postgres-a"),
                        new CommitRecord.RecordedBranch(bytes(4, 3), "artemis-01"))),
                new CommitRecord(bytes(64, 4), -1L,
                        List.of(new CommitRecord.RecordedBranch(new byte[0], "ünïcødé-名前"))),
                new CommitRecord(bytes(1, 5), Long.MAX_VALUE,
                        List.of(new CommitRecord.RecordedBranch(bytes(64, 6), "x"))),
                new EndRecord(gtrid),
                new ForgetRecord(bytes(64, 7)),
                new HeuristicRecord(gtrid, bytes(4, 8), "mariadb-b", HeuristicOutcome.ROLLBACK, 5L),
                new HeuristicRecord(gtrid, bytes(4, 8), "mariadb-b", HeuristicOutcome.MIXED, 6L),
                new HeuristicRecord(gtrid, bytes(4, 8), "mariadb-b", HeuristicOutcome.HAZARD, 7L),
                new HeuristicRecord(gtrid, new byte[0], "postgres-a", HeuristicOutcome.LOST, Long.MIN_VALUE));
    }

    @ParameterizedTest
    @MethodSource("records")
    void everyRecordTypeRoundTrips(LogRecord record) throws Exception {
        byte[] frame = RecordCodec.frame(record);
        ByteBuffer b = ByteBuffer.wrap(frame);
        int length = b.getInt();
        int crc = b.getInt();
        assertEquals(frame.length - RecordCodec.FRAME_HEADER_BYTES, length);
        assertEquals(RecordCodec.crc(frame, 8, length), crc);
        LogRecord decoded = RecordCodec.decode(frame, 8, length);
        assertEquals(record, decoded);
        assertEquals(record.hashCode(), decoded.hashCode());
        assertEquals(record.toString(), decoded.toString());
    }

    @Test
    void recordsCompareArrayContentsAndPrintHex() {
        byte[] g = {(byte) 0xAB, 0x01};
        EndRecord a = new EndRecord(g);
        g[0] = 0;
        assertEquals(new EndRecord(new byte[] {(byte) 0xAB, 0x01}), a, "the record keeps a copy");
        assertEquals(new EndRecord(new byte[] {(byte) 0xAB, 0x01}).hashCode(), a.hashCode());
        assertNotEquals(new ForgetRecord(new byte[] {(byte) 0xAB, 0x01}), a);
        assertTrue(a.toString().contains("ab01"), a.toString());
        assertEquals(Gtrid.of(new byte[] {1, 2}), Gtrid.of(new byte[] {1, 2}));
        assertEquals("0102", Gtrid.of(new byte[] {1, 2}).toString());
    }

    @Test
    void aTypicalCommitPlusEndStaysWellUnder200Bytes() {
        byte[] gtrid = bytes(34, 1);
        CommitRecord commit = new CommitRecord(gtrid, 1L, List.of(
                new CommitRecord.RecordedBranch(bytes(4, 2), "postgres-a"),
                new CommitRecord.RecordedBranch(bytes(4, 3), "artemis-01")));
        int total = RecordCodec.frame(commit).length + RecordCodec.frame(new EndRecord(gtrid)).length;
        assertEquals(132, total, "88 bytes framed COMMIT + 44 bytes framed END, as documented");
        assertTrue(total < 200);
    }

    @Test
    void garbageFailsWithAMessageNeverAnIndexException() {
        Random random = new Random(99);
        List<byte[]> inputs = new ArrayList<>();
        records().forEach(r -> {
            byte[] payload = RecordCodec.encode(r);
            for (int cut = 0; cut < payload.length; cut++) {
                inputs.add(java.util.Arrays.copyOf(payload, cut));
            }
            byte[] longer = java.util.Arrays.copyOf(payload, payload.length + 1);
            inputs.add(longer);
        });
        for (int i = 0; i < 2000; i++) {
            byte[] g = bytes(1 + random.nextInt(80), i);
            g[0] = (byte) (random.nextInt(6));
            inputs.add(g);
        }
        for (byte[] input : inputs) {
            try {
                RecordCodec.decode(input, 0, input.length);
            } catch (MalformedRecordException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
            }
        }
        MalformedRecordException unknown = assertThrows(MalformedRecordException.class,
                () -> RecordCodec.decode(new byte[] {9, 1, 1}, 0, 3));
        assertTrue(unknown.getMessage().contains("unknown record type 9"), unknown.getMessage());
        MalformedRecordException truncated = assertThrows(MalformedRecordException.class,
                () -> RecordCodec.decode(new byte[] {RecordCodec.TYPE_END, 34, 1}, 0, 3));
        assertTrue(truncated.getMessage().contains("payload ends before gtrid"), truncated.getMessage());
        assertThrows(MalformedRecordException.class, () -> RecordCodec.decode(new byte[0], 0, 0));
        assertThrows(MalformedRecordException.class, () -> RecordCodec.decode(new byte[2], 1, 5));
    }

    @Test
    void invalidRecordsAreRefusedWhenBuilt() {
        assertThrows(IllegalArgumentException.class, () -> new EndRecord(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new EndRecord(new byte[65]));
        assertThrows(IllegalArgumentException.class, () -> new CommitRecord(new byte[1], 0, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new CommitRecord.RecordedBranch(new byte[1], ""));
    }

    @Test
    void segmentHeaderRoundTripsAndRejectsDamage() throws Exception {
        byte[] header = RecordCodec.segmentHeader(7, 3);
        assertEquals(RecordCodec.SEGMENT_HEADER_BYTES, header.length);
        assertEquals(new RecordCodec.SegmentHeader(RecordCodec.FORMAT_VERSION, 7, 3),
                RecordCodec.readSegmentHeader(header));
        header[10] ^= 1;
        assertEquals(null, RecordCodec.readSegmentHeader(header));
        byte[] zeroed = RecordCodec.segmentHeader(RecordCodec.VERSION_ZEROED, 7, 3);
        assertEquals(new RecordCodec.SegmentHeader(2, 7, 3), RecordCodec.readSegmentHeader(zeroed));
        for (int version : new int[] {1, 4}) {
            byte[] other = RecordCodec.segmentHeader(7, 3);
            other[5] = (byte) version;
            ByteBuffer.wrap(other).putInt(20, RecordCodec.crc(other, 0, 20));
            MalformedRecordException e = assertThrows(MalformedRecordException.class,
                    () -> RecordCodec.readSegmentHeader(other));
            assertTrue(e.getMessage().contains("version " + version + " is not supported"), e.getMessage());
        }
    }

    @Test
    void aMarkFrameRoundTripsAndIsNoRecord() throws Exception {
        byte[] buf = new byte[40];
        RecordCodec.fillMark(buf, 3, 1234, 0);
        assertEquals(5, ByteBuffer.wrap(buf).getInt(3));
        assertEquals(ByteBuffer.wrap(buf).getInt(7), RecordCodec.crc(buf, 3 + 8, 5));
        byte[] salted = buf.clone();
        RecordCodec.fillMark(salted, 3, 1234, 77);
        assertEquals(ByteBuffer.wrap(salted).getInt(7), RecordCodec.crc(buf, 3 + 8, 5) ^ 77, "checked with the number");
        assertTrue(RecordCodec.isMark(buf, 3 + 8));
        assertEquals(1234, RecordCodec.markForcedTo(buf, 3 + 8, 5));
        assertThrows(MalformedRecordException.class, () -> RecordCodec.decode(buf, 3 + 8, 5), "not a record");
        assertThrows(IllegalArgumentException.class, () -> RecordCodec.fillMark(buf, 0, 10, 0), "inside the header");
    }

    @Test
    void heuristicCodesAreStable() {
        assertEquals(1, HeuristicOutcome.ROLLBACK.code());
        assertEquals(2, HeuristicOutcome.MIXED.code());
        assertEquals(3, HeuristicOutcome.HAZARD.code());
        assertEquals(4, HeuristicOutcome.LOST.code());
        assertEquals(null, HeuristicOutcome.ofCode((byte) 0));
    }
}
