package dev.lockstep.demo.transfer;

import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * Looks at every resource of a transfer run from outside, with plain clients and none of Lockstep's code, after
 * recovery (docs/design.md section 3, "checks every resource"):
 *
 * <ol>
 * <li>no branch of the run's nodes is left in any server's {@code recover()} list (PostgreSQL, MariaDB, Artemis);</li>
 * <li>each transfer is in all resources or in none: the ids in PostgreSQL's {@code transfers}, in MariaDB's, and (for
 * a run with the broker) the ids of the messages on queue {@value TransferTables#QUEUE} are the same set, with the
 * same amount in both databases; and the balances agree with the transfers present: PostgreSQL's accounts lost
 * exactly the amounts of its transfers, MariaDB's gained exactly theirs, so the total is unchanged;</li>
 * <li>every message of a committed transfer is delivered exactly once: the queue is consumed with a plain,
 * non-XA, auto-acknowledging consumer and the messages counted per id (none missing, no duplicate).</li>
 * </ol>
 *
 * {@link #check()} consumes the run's messages, so it gives its full answer once per run. It returns a
 * {@link Report}; tests assert on {@link Report#ok()} with the report as message.
 */
public final class Checker {

    private final Endpoints servers;
    private final String run;
    private final Set<String> nodes;
    private final boolean messages;
    /** Consume only this run's messages (several runs share the queue at once). */
    private final boolean onlyThisRun;

    /**
     * @param servers  every server to look at; with a broker URL, Artemis' recover() list is checked too
     * @param run      the run id (the TransferApp's node id) whose transfers are checked
     * @param nodes    the node ids whose branches must not be left in doubt
     * @param messages whether the run sent messages (a three-resource run) that must be consumed and counted
     */
    public Checker(Endpoints servers, String run, Set<String> nodes, boolean messages) {
        this(servers, run, nodes, messages, false);
    }

    private Checker(Endpoints servers, String run, Set<String> nodes, boolean messages, boolean onlyThisRun) {
        if (messages && !servers.withBroker()) {
            throw new IllegalArgumentException("checking messages needs the broker URL");
        }
        this.servers = servers;
        this.run = run;
        this.nodes = Set.copyOf(nodes);
        this.messages = messages;
        this.onlyThisRun = onlyThisRun;
    }

    /** A checker for one of several runs that share the queue at once: it consumes only its run's messages. */
    public static Checker forRunAmongOthers(Endpoints servers, String node) {
        return new Checker(servers, node, Set.of(node), true, true);
    }

    /** A checker for one TransferApp run: its node is the run id. */
    public static Checker forRun(Endpoints servers, String node, boolean messages) {
        return new Checker(servers, node, Set.of(node), messages);
    }

    /** The run's branches in doubt right now (step 1 only); consumes nothing. */
    public List<XaBranches.InDoubtBranch> inDoubt() throws Exception {
        return XaBranches.list(servers, nodes::contains);
    }

    /** All three checks. */
    public Report check() throws Exception {
        List<XaBranches.InDoubtBranch> inDoubt = inDoubt();
        Map<String, Long> pg;
        Map<String, Long> maria;
        long[] pgBalance;
        long[] mariaBalance;
        try (var c = TransferTables.pg(servers)) {
            pg = TransferTables.transfers(c, run);
            pgBalance = TransferTables.balanceSumAndCount(c, run);
        }
        try (var c = TransferTables.maria(servers)) {
            maria = TransferTables.transfers(c, run);
            mariaBalance = TransferTables.balanceSumAndCount(c, run);
        }
        Map<String, Integer> delivered = null;
        int stale = 0;
        if (messages) {
            Set<String> expected = new TreeSet<>(pg.keySet());
            expected.addAll(maria.keySet());
            Drained d = drain(servers, run, expected, onlyThisRun);
            delivered = d.perId;
            stale = d.otherRuns;
        }
        return new Report(run, inDoubt, pg, maria, delivered, pgBalance[0], pgBalance[1], mariaBalance[0],
                mariaBalance[1], stale);
    }

    private record Drained(Map<String, Integer> perId, int otherRuns) {
    }

    /**
     * Consumes every message on the queue; counts those of {@code run} per id. Waits until each expected id came
     * (at most 5 s without a new message), then for 500 ms of quiet to catch late duplicates.
     */
    private static Drained drain(Endpoints servers, String run, Set<String> expected, boolean onlyThisRun)
            throws Exception {
        Map<String, Integer> perId = new LinkedHashMap<>();
        int others = 0;
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(servers.brokerUrl());
             Connection c = f.createConnection(servers.brokerLogin().user(), servers.brokerLogin().password())) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = onlyThisRun
                    ? s.createConsumer(s.createQueue(TransferTables.QUEUE), "run = '" + run + "'")
                    : s.createConsumer(s.createQueue(TransferTables.QUEUE));
            while (true) {
                boolean allSeen = perId.keySet().containsAll(expected);
                Message m = consumer.receive(allSeen ? 500 : 5_000);
                if (m == null) {
                    break;
                }
                String text = m instanceof TextMessage t ? t.getText() : String.valueOf(m);
                if (run.equals(m.getStringProperty("run"))) {
                    perId.merge(text, 1, Integer::sum);
                } else {
                    others++;
                }
            }
        }
        return new Drained(perId, others);
    }

    /** Consumes and drops whatever is on the transfers queue (messages of earlier, failed runs). */
    public static int purgeQueue(Endpoints servers) throws Exception {
        int n = 0;
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(servers.brokerUrl());
             Connection c = f.createConnection(servers.brokerLogin().user(), servers.brokerLogin().password())) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(TransferTables.QUEUE));
            while (consumer.receive(200) != null) {
                n++;
            }
        }
        return n;
    }

    /** The outcome of one transfer as the resources show it. */
    public enum Outcome { COMMITTED, ROLLED_BACK, MIXED }

    /**
     * What the resources showed for one run.
     *
     * @param messages id → times delivered, or null if the run sent none
     */
    public record Report(String run, List<XaBranches.InDoubtBranch> inDoubt, Map<String, Long> pg,
                         Map<String, Long> maria, Map<String, Integer> messages, long pgSum, long pgAccounts,
                         long mariaSum, long mariaAccounts, int staleMessages) {

        /** Transfers present in PostgreSQL (for a passing report: the committed ones). */
        public int committed() {
            return pg.size();
        }

        /** Where transfer {@code id} is: everywhere, nowhere, or only in some resources. */
        public Outcome outcomeOf(String id) {
            int places = (pg.containsKey(id) ? 1 : 0) + (maria.containsKey(id) ? 1 : 0);
            int of = 2;
            if (messages != null) {
                of++;
                places += messages.containsKey(id) ? 1 : 0;
            }
            return places == of ? Outcome.COMMITTED : places == 0 ? Outcome.ROLLED_BACK : Outcome.MIXED;
        }

        /** Every violated property, one line each; empty if the run is consistent. */
        public List<String> problems() {
            List<String> p = new ArrayList<>();
            if (!inDoubt.isEmpty()) {
                p.add(inDoubt.size() + " branch(es) of ours still in a recover() list: " + inDoubt);
            }
            Set<String> all = new TreeSet<>(pg.keySet());
            all.addAll(maria.keySet());
            if (messages != null) {
                all.addAll(messages.keySet());
            }
            List<String> mixed = new ArrayList<>();
            for (String id : all) {
                if (outcomeOf(id) == Outcome.MIXED) {
                    mixed.add(id + " [pg=" + pg.containsKey(id) + " maria=" + maria.containsKey(id)
                            + (messages == null ? "" : " jms=" + messages.getOrDefault(id, 0)) + "]");
                }
            }
            if (!mixed.isEmpty()) {
                p.add(mixed.size() + " transfer(s) not in all resources or none: " + mixed);
            }
            List<String> amounts = new ArrayList<>();
            pg.forEach((id, amount) -> {
                Long other = maria.get(id);
                if (other != null && !other.equals(amount)) {
                    amounts.add(id + " pg=" + amount + " maria=" + other);
                }
            });
            if (!amounts.isEmpty()) {
                p.add("amounts differ between the databases: " + amounts);
            }
            if (messages != null) {
                List<String> duplicates = new ArrayList<>();
                messages.forEach((id, n) -> {
                    if (n > 1) {
                        duplicates.add(id + " x" + n);
                    }
                });
                if (!duplicates.isEmpty()) {
                    p.add("messages delivered more than once: " + duplicates);
                }
            }
            long initial = Workload.ACCOUNTS * Workload.INITIAL;
            if (pgAccounts != Workload.ACCOUNTS || mariaAccounts != Workload.ACCOUNTS) {
                p.add("expected " + Workload.ACCOUNTS + " accounts per database, found pg=" + pgAccounts + " maria="
                        + mariaAccounts + " (were they opened for run " + run + "?)");
            }
            long pgMoved = pg.values().stream().mapToLong(Long::longValue).sum();
            long mariaMoved = maria.values().stream().mapToLong(Long::longValue).sum();
            if (pgSum != initial - pgMoved) {
                p.add("PostgreSQL balances sum to " + pgSum + " but its " + pg.size() + " transfers of " + pgMoved
                        + " in total leave " + (initial - pgMoved));
            }
            if (mariaSum != initial + mariaMoved) {
                p.add("MariaDB balances sum to " + mariaSum + " but its " + maria.size() + " transfers of "
                        + mariaMoved + " in total make " + (initial + mariaMoved));
            }
            if (pgSum + mariaSum != 2 * initial) {
                p.add("money created or destroyed: total " + (pgSum + mariaSum) + ", expected " + 2 * initial);
            }
            return p;
        }

        public boolean ok() {
            return problems().isEmpty();
        }

        @Override
        public String toString() {
            List<String> problems = problems();
            return "run " + run + ": " + pg.size() + " transfer(s) in PostgreSQL, " + maria.size() + " in MariaDB"
                    + (messages == null ? "" : ", " + messages.size() + " distinct message id(s) ("
                            + messages.values().stream().mapToInt(Integer::intValue).sum() + " delivered)")
                    + ", " + inDoubt.size() + " branch(es) in doubt, balances pg=" + pgSum + " maria=" + mariaSum
                    + (staleMessages > 0 ? ", " + staleMessages + " message(s) of other runs dropped" : "")
                    + (problems.isEmpty() ? ": consistent" : ":\n  - " + String.join("\n  - ", problems));
        }
    }
}
