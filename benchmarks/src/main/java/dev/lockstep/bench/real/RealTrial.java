package dev.lockstep.bench.real;

import com.mysql.cj.jdbc.MysqlXADataSource;
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
import java.nio.ByteBuffer;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;
import org.postgresql.xa.PGXADataSource;

/**
 * The main class of one real-resource trial JVM. {@code --adapter=lockstep|narayana}: each transaction updates one
 * row in PostgreSQL and one in MariaDB and sends one JMS message to Artemis, through the TM's enlisting pools; the
 * commit call is timed on its own too. {@code --adapter=branches}: the floor for that commit, each resource alone
 * with no TM (start, work, end, then prepare and commit timed), one thread.
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
        String adapter = args.get("adapter");
        RealServers servers = new RealServers(args.get("pg-url"), args.get("maria-url"), args.get("broker-url"),
                args.get("user"), args.get("password"));
        Path dir = Path.of(args.get("dir"));
        Files.createDirectories(dir);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(args.get("out")),
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
            if (adapter.equals("branches")) {
                branches(servers, args, w);
            } else {
                transactions(adapter, servers, dir, args, w);
            }
        }
        System.exit(0);
    }

    private static void transactions(String adapter, RealServers servers, Path dir, Args args, PrintWriter w)
            throws Exception {
        int poolSize = Integer.parseInt(args.get("pool-size"));
        long pgBefore = servers.sum(servers.pgUrl());
        long mariaBefore = servers.sum(servers.mariaUrl());
        long queuedBefore = servers.drainQueue();
        List<Map<String, Object>> cells = new ArrayList<>();
        long committed = 0;
        try (RealSystem system = switch (adapter) {
            case "lockstep" -> new LockstepReal(dir, servers, poolSize);
            case "narayana" -> new NarayanaReal(dir, servers, poolSize);
            default -> throw new IllegalArgumentException("unknown real adapter '" + adapter + "'");
        }) {
            for (Map.Entry<String, String> e : system.configuration().entrySet()) {
                w.println(Fields.format(CellFields.config("real-" + adapter, e.getKey(), e.getValue())));
            }
            LongAdder[] work = {new LongAdder(), new LongAdder(), new LongAdder()};
            Operation op = transaction(system, work);
            op.run(0); // the first one opens the pools' first connections
            committed++;
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
                cells.add(CellFields.of("real-" + adapter, "real", s, problems, workUs));
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

    /**
     * One transaction: an update in each database, a message to the broker, then the commit (timed alone). The
     * time of each piece of work (from asking the pool for a connection to closing it) is added to {@code work}:
     * PostgreSQL, MariaDB, JMS.
     */
    private static Operation transaction(RealSystem system, LongAdder[] work) {
        TransactionManager tm = system.transactionManager();
        String update = "UPDATE " + RealServers.TABLE + " SET balance = balance + 1 WHERE id = ?";
        return thread -> {
            tm.begin();
            try {
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
            } catch (Exception | Error e) {
                tm.rollback();
                throw e;
            }
            long start = System.nanoTime();
            tm.commit();
            return System.nanoTime() - start;
        };
    }

    private static void expectOneRow(int rows) {
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

        PGXADataSource pgDs = new PGXADataSource();
        pgDs.setUrl(servers.pgUrl());
        pgDs.setUser(servers.user());
        pgDs.setPassword(servers.password());
        MysqlXADataSource mariaDs = new MysqlXADataSource();
        mariaDs.setUrl(servers.mariaUrl());
        mariaDs.setUser(servers.user());
        mariaDs.setPassword(servers.password());
        String update = "UPDATE " + RealServers.TABLE + " SET balance = balance + 1 WHERE id = 0";
        XAConnection pgXa = pgDs.getXAConnection();
        XAConnection mariaXa = mariaDs.getXAConnection();
        try (ActiveMQXAConnectionFactory cf = new ActiveMQXAConnectionFactory(servers.brokerUrl());
             jakarta.jms.XAConnection jmsXa = cf.createXAConnection()) {
            jakarta.jms.XASession xaSession = jmsXa.createXASession();
            MessageProducer producer = xaSession.getSession().createProducer(
                    xaSession.getSession().createQueue(RealServers.QUEUE));
            Connection pgC = pgXa.getConnection();
            Connection mariaC = mariaXa.getConnection();
            PreparedStatement pgPs = pgC.prepareStatement(update);
            PreparedStatement mariaPs = mariaC.prepareStatement(update);
            String[] names = {"postgresql", "mariadb", "artemis"};
            XAResource[] resources = {pgXa.getXAResource(), mariaXa.getXAResource(), xaSession.getXAResource()};
            // The three together by hand, phases one after the other (prepare each, then commit each): the "sum"
            // that a coordinator with parallel phases should beat, measured on the same busy disk.
            Operation all = thread -> {
                Xid[] xids = {HandXid.next(), HandXid.next(), HandXid.next()};
                for (int i = 0; i < 3; i++) {
                    resources[i].start(xids[i], XAResource.TMNOFLAGS);
                }
                expectOneRow(pgPs.executeUpdate());
                expectOneRow(mariaPs.executeUpdate());
                producer.send(xaSession.getSession().createTextMessage("branch floor"));
                for (int i = 0; i < 3; i++) {
                    resources[i].end(xids[i], XAResource.TMSUCCESS);
                }
                long start = System.nanoTime();
                for (int i = 0; i < 3; i++) {
                    if (resources[i].prepare(xids[i]) != XAResource.XA_OK) {
                        throw new IllegalStateException(names[i] + " voted read-only on a write");
                    }
                }
                for (int i = 0; i < 3; i++) {
                    resources[i].commit(xids[i], false);
                }
                return System.nanoTime() - start;
            };
            Segment together = LoadRunner.run(all, 1, warmup, window);
            for (int i = 0; i < 3; i++) {
                committed[i] += together.completedAll();
            }
            w.println(Fields.format(CellFields.of("branch-all-sequential", "real", together,
                    together.failed() == 0 ? List.of() : List.of(together.failed() + " failed, first: "
                            + together.firstFailure()), Map.of())));
            for (int b = 0; b < 3; b++) {
                int branch = b;
                XAResource r = resources[b];
                Operation op = thread -> {
                    Xid xid = HandXid.next();
                    r.start(xid, XAResource.TMNOFLAGS);
                    switch (branch) {
                        case 0 -> expectOneRow(pgPs.executeUpdate());
                        case 1 -> expectOneRow(mariaPs.executeUpdate());
                        default -> producer.send(xaSession.getSession().createTextMessage("branch floor"));
                    }
                    r.end(xid, XAResource.TMSUCCESS);
                    long start = System.nanoTime();
                    if (r.prepare(xid) != XAResource.XA_OK) {
                        throw new IllegalStateException(names[branch] + " voted read-only on a write");
                    }
                    r.commit(xid, false);
                    return System.nanoTime() - start;
                };
                Segment s = LoadRunner.run(op, 1, laterWarmup, window);
                committed[b] += s.completedAll();
                List<String> problems = new ArrayList<>();
                if (s.failed() > 0) {
                    problems.add(s.failed() + " branch(es) failed, first: " + s.firstFailure());
                }
                Map<String, Object> cell = CellFields.of("branch-" + names[b], "real", s, problems, Map.of());
                w.println(Fields.format(cell));
            }
        } finally {
            pgXa.close();
            mariaXa.close();
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

    /** XIDs for the branches done by hand (format id "BENC", a process-unique global id). */
    private static final class HandXid implements Xid {
        private static final AtomicLong SEQUENCE = new AtomicLong();
        private static final long RUN = System.currentTimeMillis();
        private final byte[] gtrid;

        private HandXid(byte[] gtrid) {
            this.gtrid = gtrid;
        }

        static Xid next() {
            return new HandXid(ByteBuffer.allocate(16).putLong(RUN).putLong(SEQUENCE.incrementAndGet()).array());
        }

        @Override
        public int getFormatId() {
            return 0x42454E43;
        }

        @Override
        public byte[] getGlobalTransactionId() {
            return gtrid.clone();
        }

        @Override
        public byte[] getBranchQualifier() {
            return new byte[] {1};
        }
    }
}
