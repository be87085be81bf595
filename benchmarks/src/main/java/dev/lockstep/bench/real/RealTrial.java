package dev.lockstep.bench.real;

import dev.lockstep.bench.trial.Args;
import dev.lockstep.bench.trial.CellFields;
import dev.lockstep.bench.trial.Fields;
import dev.lockstep.bench.trial.LoadRunner;
import dev.lockstep.bench.trial.Operation;
import dev.lockstep.bench.trial.Segment;
import dev.lockstep.bench.trial.TrialLogging;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.transaction.TransactionManager;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The main class of one real-resource trial JVM ({@code --adapter=}, one of {@link RealAdapter}). Each transaction
 * updates one row in PostgreSQL and one in MariaDB (each worker its own row) and sends one JMS message to Artemis,
 * then commits; the commit call is timed on its own too. The pooled adapters go through the TM's enlisting pools;
 * the raw ones (the floors and the TM-only systems) through each worker's own {@link RawConnections}, opened before
 * the first transaction and held to the end. {@code --adapter=branches}: the floor for the commit latency, each
 * resource alone with no TM (start, work, end, then prepare and commit timed), then the three in sequence, one
 * thread.
 *
 * <p>Validity: after the trial, each database's sum of balances grew by exactly the committed transactions, the
 * queue holds exactly one message per committed transaction, and no prepared branch is left.
 */
public final class RealTrial {

    private RealTrial() {
    }

    public static void main(String[] argv) throws Exception {
        TrialLogging.quiet();
        Args args = new Args(argv);
        RealAdapter adapter = RealAdapter.byId(args.get("adapter"));
        RealServers servers = new RealServers(args.get("pg-url"), args.get("maria-url"), args.get("broker-url"),
                args.get("user"), args.get("password"));
        Path dir = Path.of(args.get("dir"));
        Files.createDirectories(dir);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(args.get("out")),
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
            if (adapter.kind() == RealAdapter.Kind.BRANCHES) {
                branches(servers, args, w);
            } else {
                transactions(adapter, servers, dir, args, w);
            }
        }
        System.exit(0);
    }

    private static void transactions(RealAdapter adapter, RealServers servers, Path dir, Args args, PrintWriter w)
            throws Exception {
        long pgBefore = servers.sum(servers.pgUrl());
        long mariaBefore = servers.sum(servers.mariaUrl());
        long queuedBefore = servers.drainQueue();
        List<Map<String, Object>> cells = new ArrayList<>();
        LongAdder[] work = {new LongAdder(), new LongAdder(), new LongAdder()};
        long committed;
        if (adapter.kind() == RealAdapter.Kind.POOLED) {
            try (RealSystem system = adapter.pooled(dir, servers, Integer.parseInt(args.get("pool-size")))) {
                config(adapter, system.configuration(), w);
                committed = measure(adapter, transaction(system, work), work, args, cells);
            }
        } else {
            int workers = args.ints("threads").stream().mapToInt(Integer::intValue).max().orElse(1);
            try (RawConnections.Factories factories = new RawConnections.Factories(servers);
                 RawCoordinator coordinator = adapter.coordinator(dir, factories)) {
                RawConnections[] connections = new RawConnections[workers];
                try {
                    for (int i = 0; i < workers; i++) {
                        connections[i] = new RawConnections(factories, i);
                    }
                    coordinator.adopt(connections);
                    config(adapter, coordinator.configuration(), w);
                    Operation op = thread -> coordinator.transaction(thread, connections[thread], work);
                    committed = measure(adapter, op, work, args, cells);
                } finally {
                    for (RawConnections c : connections) {
                        if (c != null) {
                            c.close();
                        }
                    }
                }
            }
        }
        // Every committed transaction must be in both databases and in the queue, exactly once.
        List<String> problems = new ArrayList<>();
        long pg = servers.sum(servers.pgUrl()) - pgBefore;
        long maria = servers.sum(servers.mariaUrl()) - mariaBefore;
        long messages = servers.drainQueue();
        if (queuedBefore != 0) {
            problems.add(queuedBefore + " message(s) were left in the queue by an earlier trial");
        }
        if (pg != committed || maria != committed || messages != committed) {
            problems.add(committed + " transactions committed, but PostgreSQL got " + pg + " updates, MariaDB "
                    + maria + ", the queue " + messages + " messages");
        }
        String inDoubt = servers.inDoubt();
        if (inDoubt != null) {
            problems.add(inDoubt);
        }
        for (Map<String, Object> cell : cells) {
            if (!problems.isEmpty()) {
                cell.put("valid", false);
                String before = (String) cell.get("problems");
                cell.put("problems", (before == null ? "" : before + "; ") + String.join("; ", problems));
            }
            w.println(Fields.format(cell));
        }
    }

    private static void config(RealAdapter adapter, Map<String, String> configuration, PrintWriter w) {
        for (Map.Entry<String, String> e : configuration.entrySet()) {
            w.println(Fields.format(CellFields.config(adapter.cell(), e.getKey(), e.getValue())));
        }
    }

    /**
     * One transaction first (it opens the pools' first connections), then each thread count: a warm-up and the
     * measured window, one cell each into {@code cells}. Returns the transactions committed in all.
     */
    private static long measure(RealAdapter adapter, Operation op, LongAdder[] work, Args args,
            List<Map<String, Object>> cells) throws Exception {
        op.run(0);
        long committed = 1;
        boolean first = true;
        for (int threads : args.ints("threads")) {
            Duration warmup = args.millis(first ? "first-warmup-ms" : "warmup-ms");
            first = false;
            long[] workBefore = {work[0].sum(), work[1].sum(), work[2].sum()};
            Segment s = LoadRunner.run(op, threads, warmup, args.millis("window-ms"));
            committed += s.completedAll();
            Map<String, Long> workUs = new LinkedHashMap<>();
            String[] names = {"pgWorkUs", "mariaWorkUs", "jmsWorkUs"};
            for (int i = 0; i < 3; i++) {
                workUs.put(names[i], s.completedAll() == 0 ? -1
                        : (work[i].sum() - workBefore[i]) / s.completedAll() / 1000);
            }
            List<String> problems = new ArrayList<>();
            if (s.failed() > 0) {
                problems.add(s.failed() + " transaction(s) failed, first: " + s.firstFailure());
            }
            if (s.completed() == 0) {
                problems.add("no transaction completed inside the measured window");
            }
            cells.add(CellFields.of(adapter.cell(), "real", s, problems, workUs));
        }
        return committed;
    }

    /**
     * One transaction: an update in each database, a message to the broker, then the commit (timed alone). The
     * time of each piece of work (from asking the pool for a connection to closing it) is added to {@code work}:
     * PostgreSQL, MariaDB, JMS.
     */
    private static Operation transaction(RealSystem system, LongAdder[] work) {
        TransactionManager tm = system.transactionManager();
        String update = "UPDATE " + RealServers.TABLE + " SET balance = balance + 1 WHERE id = ?";
        return thread -> TmOnly.timedCommit(tm, () -> {
            long t0 = System.nanoTime();
            try (Connection c = system.postgres().getConnection(); PreparedStatement ps = c.prepareStatement(update)) {
                ps.setInt(1, thread);
                expectOneRow(ps.executeUpdate());
            }
            long t1 = System.nanoTime();
            try (Connection c = system.mariadb().getConnection(); PreparedStatement ps = c.prepareStatement(update)) {
                ps.setInt(1, thread);
                expectOneRow(ps.executeUpdate());
            }
            long t2 = System.nanoTime();
            try (jakarta.jms.Connection c = system.broker().createConnection()) {
                Session s = c.createSession();
                try (MessageProducer p = s.createProducer(s.createQueue(RealServers.QUEUE))) {
                    p.send(s.createTextMessage("transfer from thread " + thread));
                }
            }
            long t3 = System.nanoTime();
            work[0].add(t1 - t0);
            work[1].add(t2 - t1);
            work[2].add(t3 - t2);
        });
    }

    static void expectOneRow(int rows) {
        if (rows != 1) {
            throw new IllegalStateException("the update changed " + rows + " rows, expected 1: is the table filled?");
        }
    }

    /**
     * Each branch alone, by hand, one thread: prepare + commit is the commit latency of that branch; then the three
     * together, by hand, phases in sequence.
     */
    private static void branches(RealServers servers, Args args, PrintWriter w) throws Exception {
        Duration warmup = args.millis("first-warmup-ms");
        Duration laterWarmup = args.millis("warmup-ms");
        Duration window = args.millis("window-ms");
        long pgBefore = servers.sum(servers.pgUrl());
        long mariaBefore = servers.sum(servers.mariaUrl());
        servers.drainQueue();
        long[] committed = new long[3];
        try (RawConnections.Factories factories = new RawConnections.Factories(servers);
             RawConnections c = new RawConnections(factories, 0);
             ByHand sequential = new ByHand(false)) {
            // The three together by hand, phases one after the other (prepare each, then commit each): the "sum"
            // that a coordinator with parallel phases should beat, measured on the same busy disk.
            LongAdder[] unused = {new LongAdder(), new LongAdder(), new LongAdder()};
            Segment together = LoadRunner.run(thread -> sequential.transaction(thread, c, unused), 1, warmup,
                    window);
            for (int i = 0; i < 3; i++) {
                committed[i] += together.completedAll();
            }
            w.println(Fields.format(CellFields.of("branch-all-sequential", "real", together,
                    together.failed() == 0 ? List.of() : List.of(together.failed() + " failed, first: "
                            + together.firstFailure()), Map.of())));
            for (int b = 0; b < 3; b++) {
                int branch = b;
                Segment s = LoadRunner.run(thread -> ByHand.branch(c, branch), 1, laterWarmup, window);
                committed[b] += s.completedAll();
                List<String> problems = new ArrayList<>();
                if (s.failed() > 0) {
                    problems.add(s.failed() + " branch(es) failed, first: " + s.firstFailure());
                }
                Map<String, Object> cell = CellFields.of("branch-" + RawConnections.BRANCHES[b], "real", s,
                        problems, Map.of());
                w.println(Fields.format(cell));
            }
        }
        List<String> problems = new ArrayList<>();
        long pg = servers.sum(servers.pgUrl()) - pgBefore;
        long maria = servers.sum(servers.mariaUrl()) - mariaBefore;
        long messages = servers.drainQueue();
        if (pg != committed[0] || maria != committed[1] || messages != committed[2]) {
            problems.add("branches committed " + committed[0] + "/" + committed[1] + "/" + committed[2]
                    + " but PostgreSQL got " + pg + ", MariaDB " + maria + ", the queue " + messages);
        }
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("kind", "check");
        check.put("adapter", "branches");
        check.put("valid", problems.isEmpty());
        if (!problems.isEmpty()) {
            check.put("problems", String.join("; ", problems));
        }
        w.println(Fields.format(check));
    }
}
