package dev.lockstep.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.demo.transfer.Checker;
import dev.lockstep.demo.transfer.ChildJvm;
import dev.lockstep.demo.transfer.Endpoints;
import dev.lockstep.demo.transfer.RecoveryServiceProcess;
import dev.lockstep.demo.transfer.TransferApp;
import dev.lockstep.demo.transfer.XaBranches;
import dev.lockstep.tm.spi.CrashPoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant 8 (docs/log-format.md, "Reading") through the real service: torn tails are harmless, corruption is
 * loud. Each test halts a TransferApp (PostgreSQL, MariaDB, Artemis) at C4, so its log holds a forced COMMIT whose
 * three branches are prepared, damages the log file, and runs the recovery service jar's {@code scan}.
 */
class LogDamageTest {

    private static Endpoints all;

    @BeforeAll
    static void servers() {
        RecoveryServiceProcess.jar();
        all = Endpoints.ofHarness(true);
    }

    @BeforeEach
    void cleanSlate() throws Exception {
        CrashRuns.cleanSlate(all);
    }

    /*
     * Scenario: halt at C4 of the first transfer (the log: header, COMMIT); garbage written after the COMMIT, where
     * the next record would go, as a write torn by the crash would leave it.
     * Expected: the garbage is a torn tail and ignored; the scan commits all three branches and exits 0; the
     * Checker passes with the transfer committed everywhere.
     */
    @Test
    void garbageAfterTheLastRecordIsATornTailAndTheDecisionStillCommits() throws Exception {
        TransferRun run = TransferRun.open("ld-torn", all, 3);
        haltAtC4(run, 0);
        Path segment = run.segment(1, 1);
        List<SegmentFrames.Frame> frames = SegmentFrames.records(segment);
        assertEquals(List.of(SegmentFrames.TYPE_COMMIT), frames.stream().map(SegmentFrames.Frame::type).toList(),
                "the log before the damage: " + frames);
        long tail = frames.get(frames.size() - 1).end();
        // A frame header claiming 40 payload bytes with a wrong CRC, then half a payload: a torn write.
        byte[] garbage = "\0\0\0\u0028\u00de\u00ad\u00be\u00ef\u0001torn-half-of-a-record".getBytes(
                StandardCharsets.ISO_8859_1);
        SegmentFrames.write(segment, tail, garbage);
        assertEquals(3, run.checker().inDoubt().size());

        RecoveryServiceProcess.Result scan = run.recovery().run(Duration.ofSeconds(90), "scan");
        assertEquals(RecoveryServiceProcess.OK, scan.exitCode(), "a torn tail at offset " + tail + " of " + segment
                + " must be ignored:\n" + scan.describe());
        Checker.Report report = run.checker().check();
        assertTrue(report.ok(), report + "\n" + scan.describe());
        assertEquals(Checker.Outcome.COMMITTED, report.outcomeOf(run.crashedTransfer()), report + "\n"
                + scan.describe());
        System.out.println("[log-damage] torn tail of " + garbage.length + " bytes at offset " + tail + ": scan exit "
                + scan.exitCode() + " in " + scan.millis() + " ms, " + report);
    }

    /*
     * Scenario: one transfer committed (its COMMIT, perhaps its END), then a halt at C4 of the second (its COMMIT,
     * forced); one byte inside the first COMMIT record flipped. The second COMMIT's batch starts with a MARK saying
     * the first was forced, so the damage lies in forced data.
     * Expected: the scan refuses the log and exits 3 with a message naming the segment file and the damaged frame's
     * offset; the second transfer's three prepared branches are left untouched (no decision is guessed). Then the
     * test rolls them back by hand (raw XA) so that later tests start clean.
     */
    @Test
    void aFlippedByteInACommitRecordFollowedByValidOnesStopsRecoveryLoudly() throws Exception {
        TransferRun run = TransferRun.open("ld-flip", all, 3);
        haltAtC4(run, 1);
        Path segment = run.segment(1, 1);
        List<SegmentFrames.Frame> frames = SegmentFrames.records(segment);
        SegmentFrames.Frame first = frames.get(0);
        SegmentFrames.Frame last = frames.get(frames.size() - 1);
        assertTrue(frames.size() >= 2 && first.type() == SegmentFrames.TYPE_COMMIT
                && last.type() == SegmentFrames.TYPE_COMMIT, "expected COMMIT [END] COMMIT, got " + frames);
        long flipped = first.offset() + SegmentFrames.FRAME_HEADER_BYTES + first.length() / 2;
        SegmentFrames.flip(segment, flipped);
        List<XaBranches.InDoubtBranch> before = run.checker().inDoubt();
        assertEquals(3, before.size(), before.toString());

        RecoveryServiceProcess.Result scan = run.recovery().run(Duration.ofSeconds(90), "scan");
        try {
            assertEquals(RecoveryServiceProcess.LOG_UNUSABLE, scan.exitCode(), "byte " + flipped + " flipped in "
                    + first + " of " + segment + ", followed by " + frames.subList(1, frames.size()) + ":\n"
                    + scan.describe());
            // The error event names file and offset (the service prints level=error lines on standard error).
            String said = scan.allEvents().stream().filter(e -> "error".equals(e.get("event")))
                    .map(e -> e.getOrDefault("detail", "")).findFirst().orElse("");
            assertTrue(said.contains(segment.toString()), "an event=error line must name the file " + segment
                    + ":\n" + scan.describe());
            assertTrue(Pattern.compile("offset\\D{0,3}" + first.offset() + "\\b").matcher(said).find(),
                    "an event=error line must name the damaged frame's offset " + first.offset() + ":\n"
                    + scan.describe());
            List<XaBranches.InDoubtBranch> after = run.checker().inDoubt();
            assertEquals(new HashSet<>(before.stream().map(Object::toString).toList()),
                    new HashSet<>(after.stream().map(Object::toString).toList()),
                    "the branches of a node with a corrupt log stay untouched:\n" + scan.describe());
            System.out.println("[log-damage] byte " + flipped + " flipped in " + first + ": scan exit "
                    + scan.exitCode() + " in " + scan.millis() + " ms; event=error detail=\"" + said + "\"");
        } finally {
            // By hand, as an operator would after inspecting the log: nothing of this run may stay prepared.
            XaBranches.rollBack(all, run.node::equals);
        }
        Checker.Report report = run.checker().check();
        assertTrue(report.ok(), report.toString());
        assertEquals(Checker.Outcome.COMMITTED, report.outcomeOf(run.transferBefore(0)), report.toString());
        assertEquals(Checker.Outcome.ROLLED_BACK, report.outcomeOf(run.crashedTransfer()), report.toString());
    }

    private static void haltAtC4(TransferRun run, int before) throws Exception {
        try (ChildJvm app = run.crash(CrashPoint.C4_DECISION_FORCED, before)) {
            assertEquals(TransferApp.HALTED, app.awaitExit(Duration.ofSeconds(60)), app.tail());
        }
    }
}
