package dev.lockstep.metrics;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lockstep.testkit.ScriptedXAResource;
import dev.lockstep.testkit.ScriptedXAResource.Verb;
import dev.lockstep.tm.Lockstep;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import jakarta.transaction.RollbackException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An observation per commit with a child per branch call, checked with Micrometer's test registry and tracer. */
class CommitObservationsTest {

    @TempDir
    Path dir;

    private Lockstep lockstep(String node, LockstepMeterBinder binder) {
        return Lockstep.builder().nodeId(node).logDirectory(dir).listener(binder).build();
    }

    @Test
    void aTwoPhaseCommitIsAnObservationWithAChildPerBranchCall() throws Exception {
        TestObservationRegistry observations = TestObservationRegistry.create();
        try (Lockstep ls = lockstep("o1", new LockstepMeterBinder(observations))) {
            LockstepMeterBinderTest.run(ls.transactionManager(), true, new ScriptedXAResource("db-a"),
                    new ScriptedXAResource("db-b"));
        }
        assertThat(observations)
                .hasNumberOfObservationsWithNameEqualTo("lockstep.commit", 1)
                .hasNumberOfObservationsWithNameEqualTo("lockstep.branch", 4)
                .hasObservationWithNameEqualTo("lockstep.commit").that()
                .hasContextualNameEqualTo("lockstep.commit")
                .hasLowCardinalityKeyValue("outcome", "committed")
                .hasLowCardinalityKeyValue("branches", "2")
                .doesNotHaveParentObservation()
                .hasBeenStarted().hasBeenStopped();
        assertThat(observations).hasAnObservation(o -> o.hasNameEqualTo("lockstep.branch")
                .hasContextualNameEqualTo("lockstep.branch.prepare")
                .hasLowCardinalityKeyValue("resource", "db-b").hasLowCardinalityKeyValue("vote", "prepared")
                .hasParentObservationContextSatisfying(p -> assertEquals("lockstep.commit", name(p))));
        assertThat(observations).hasAnObservation(o -> o.hasNameEqualTo("lockstep.branch")
                .hasContextualNameEqualTo("lockstep.branch.commit")
                .hasLowCardinalityKeyValue("resource", "db-a").hasLowCardinalityKeyValue("result", "done")
                .hasParentObservationContextSatisfying(p -> assertEquals("lockstep.commit", name(p))));
    }

    /** The test registry's assertion on a parent hands it over untyped. */
    private static String name(Object context) {
        return ((Observation.ContextView) context).getName();
    }

    @Test
    void aVetoedCommitShowsTheRollbackOfThePreparedBranch() throws Exception {
        TestObservationRegistry observations = TestObservationRegistry.create();
        try (Lockstep ls = lockstep("o2", new LockstepMeterBinder(observations))) {
            assertThrows(RollbackException.class, () -> LockstepMeterBinderTest.run(ls.transactionManager(), true,
                    new ScriptedXAResource("db-a"),
                    new ScriptedXAResource("db-b").failOn(Verb.PREPARE, XAException.XA_RBROLLBACK)));
        }
        assertThat(observations).hasObservationWithNameEqualTo("lockstep.commit").that()
                .hasLowCardinalityKeyValue("outcome", "rolled_back");
        assertThat(observations).hasAnObservation(o -> o.hasContextualNameEqualTo("lockstep.branch.prepare")
                .hasLowCardinalityKeyValue("resource", "db-b").hasLowCardinalityKeyValue("vote", "rolled_back"));
        assertThat(observations).hasAnObservation(o -> o.hasContextualNameEqualTo("lockstep.branch.rollback")
                .hasLowCardinalityKeyValue("resource", "db-a").hasLowCardinalityKeyValue("result", "done"));
    }

    @Test
    void anApplicationsRollbackIsNoCommitToObserve() throws Exception {
        TestObservationRegistry observations = TestObservationRegistry.create();
        try (Lockstep ls = lockstep("o3", new LockstepMeterBinder(observations))) {
            LockstepMeterBinderTest.run(ls.transactionManager(), false, new ScriptedXAResource("db-a"));
        }
        assertThat(observations).doesNotHaveAnyObservation();
    }

    /*
     * Scenario: Micrometer Tracing's test tracer behind the observation registry; one two-phase commit.
     * Expected: one trace of five spans, the commit the root and every branch call its child, named by phase.
     */
    @Test
    void underMicrometerTracingEachCommitIsATrace() throws Exception {
        SimpleTracer tracer = new SimpleTracer();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));
        try (Lockstep ls = lockstep("o4", new LockstepMeterBinder(observations))) {
            LockstepMeterBinderTest.run(ls.transactionManager(), true, new ScriptedXAResource("db-a"),
                    new ScriptedXAResource("db-b"));
        }
        List<SimpleSpan> spans = List.copyOf(tracer.getSpans());
        assertEquals(5, spans.size(), spans.toString());
        SimpleSpan root = spans.stream().filter(s -> s.getName().equals("lockstep.commit")).findFirst().orElseThrow();
        assertNull(root.getParentId() == null || root.getParentId().isEmpty() ? null : root.getParentId());
        assertEquals("committed", root.getTags().get("outcome"));
        Map<String, Long> children = spans.stream().filter(s -> s != root)
                .peek(s -> assertEquals(root.getTraceId(), s.getTraceId(), "one trace"))
                .peek(s -> assertEquals(root.getSpanId(), s.getParentId(), "a child of the commit"))
                .collect(Collectors.groupingBy(SimpleSpan::getName, Collectors.counting()));
        assertEquals(Map.of("lockstep.branch.prepare", 2L, "lockstep.branch.commit", 2L), children);
    }
}
