package dev.lockstep.bench.trial;

import dev.lockstep.bench.micro.Adapter;
import dev.lockstep.bench.micro.CountingXAResource;
import dev.lockstep.bench.micro.TxSystem;
import dev.lockstep.bench.micro.Validity;
import dev.lockstep.bench.micro.Workload;
import dev.lockstep.bench.pg.PgTarget;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAResource;

/**
 * The main class of one in-memory trial JVM: one adapter, one or more workloads, a list of thread counts. For each
 * thread count it warms up, measures a window, checks validity, and appends one result line per cell to the output
 * file. Arguments: {@code --adapter= --workloads=2pc,1pc --threads=1,4 --first-warmup-ms= --warmup-ms=
 * --window-ms= --dir= --out=}, and for the adapters on PostgreSQL {@code --pg-url= --pg-user= --pg-password=}.
 */
public final class MicroTrial {

    private MicroTrial() {
    }

    public static void main(String[] argv) throws Exception {
        TrialLogging.quiet();
        Args args = new Args(argv);
        Adapter adapter = Adapter.byId(args.get("adapter"));
        Path dir = Path.of(args.get("dir"));
        Path out = Path.of(args.get("out"));
        Files.createDirectories(dir);
        PgTarget pg = args.optional("pg-url") == null ? null
                : new PgTarget(args.get("pg-url"), args.get("pg-user"), args.get("pg-password"),
                        args.ints("threads").stream().mapToInt(Integer::intValue).max().orElse(1));
        try (TxSystem system = adapter.open(dir, pg);
             PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
            for (Map.Entry<String, String> e : system.configuration().entrySet()) {
                w.println(Fields.format(CellFields.config(adapter.id(), e.getKey(), e.getValue())));
            }
            prime(system, args.get("workloads"));
            boolean first = true;
            for (String workloadId : args.get("workloads").split(",")) {
                Workload workload = Workload.byId(workloadId);
                for (int threads : args.ints("threads")) {
                    Duration warmup = args.millis(first ? "first-warmup-ms" : "warmup-ms");
                    first = false;
                    w.println(Fields.format(runCell(adapter.id(), system, workload, threads, warmup,
                            args.millis("window-ms"))));
                    w.flush();
                }
            }
        }
        System.exit(0); // the peers leave non-daemon threads behind
    }

    /** Measures one cell with fresh counting resources and returns its result line. */
    public static Map<String, Object> runCell(String adapterId, TxSystem system, Workload workload, int threads,
            Duration warmup, Duration window) throws InterruptedException {
        CountingXAResource[] resources = new CountingXAResource[workload.branches()];
        for (int i = 0; i < resources.length; i++) {
            resources[i] = new CountingXAResource("bench-rm-" + (i + 1), workload.readOnly());
        }
        XAResource[] adopted = system.adopt(resources);
        Map<String, Long> countersBefore = system.counters();
        Segment s = LoadRunner.run(thread -> {
            system.transaction(adopted);
            return -1;
        }, threads, warmup, window);
        List<String> problems = awaitValid(workload, system, resources, countersBefore, s);
        Map<String, Long> deltas = counterDeltas(system, countersBefore);
        if (s.completed() == 0) {
            problems.add("no transaction completed inside the measured window");
        }
        if (s.firstFailure() != null) {
            problems.add("first failure: " + s.firstFailure());
        }
        return CellFields.of(adapterId, workload.id(), s, problems, deltas);
    }

    /** Phase two may still be finishing on a TM's own threads after the workers stopped: give it two seconds. */
    private static List<String> awaitValid(Workload workload, TxSystem system, CountingXAResource[] resources,
            Map<String, Long> countersBefore, Segment s) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (true) {
            CountingXAResource.Counts[] counts = new CountingXAResource.Counts[resources.length];
            for (int i = 0; i < resources.length; i++) {
                counts[i] = resources[i].counts();
            }
            List<String> problems = Validity.check(workload, system, resources, counts,
                    counterDeltas(system, countersBefore), s.completedAll(), s.failed());
            if (problems.isEmpty() || System.nanoTime() > deadline) {
                return new java.util.ArrayList<>(problems);
            }
            Thread.sleep(20);
        }
    }

    private static Map<String, Long> counterDeltas(TxSystem system, Map<String, Long> before) {
        Map<String, Long> deltas = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : system.counters().entrySet()) {
            deltas.put(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L));
        }
        return deltas;
    }

    /**
     * A few transactions of each workload on resources that are not counted, before any clock runs: some systems
     * create their log files on first use (Narayana's journal store takes about a second).
     */
    private static void prime(TxSystem system, String workloads) throws Exception {
        for (String workloadId : workloads.split(",")) {
            Workload workload = Workload.byId(workloadId);
            CountingXAResource[] resources = new CountingXAResource[workload.branches()];
            for (int i = 0; i < resources.length; i++) {
                resources[i] = new CountingXAResource("bench-prime-" + (i + 1), workload.readOnly());
            }
            XAResource[] adopted = system.adopt(resources);
            for (int i = 0; i < 10; i++) {
                system.transaction(adopted);
            }
        }
    }
}
