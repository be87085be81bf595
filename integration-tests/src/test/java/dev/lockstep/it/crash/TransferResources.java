package dev.lockstep.it.crash;

import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.jms.LockstepConnectionFactory;
import dev.lockstep.tm.Lockstep;
import io.agroal.api.AgroalDataSource;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.transaction.Status;
import jakarta.transaction.UserTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The resources of a transfer, enlisted in one Lockstep: pools for PostgreSQL and MariaDB and, when the endpoints name
 * a broker, the Artemis factory, under the names of {@link Endpoints}; and the transfer itself (debit in PostgreSQL,
 * credit in MariaDB, a message with property {@code run} on queue {@value TransferTables#QUEUE}), so {@link Checker}
 * reads the outcome. {@link TransferApp}, {@link PausedPhaseTwoApp} and tests that drive a transaction manager in the
 * test JVM all transfer through it.
 *
 * <p>Unlike TransferApp, the run id (the {@code run} column and message property) is chosen by the caller and need
 * not be the node id: two transaction managers can share one run, and one Checker looks at both.
 */
final class TransferResources implements AutoCloseable {

    final Lockstep lockstep;
    final UserTransaction ut;
    final AgroalDataSource pg;
    final AgroalDataSource maria;
    /** Null without a broker. */
    final LockstepConnectionFactory jms;

    private TransferResources(Lockstep lockstep, AgroalDataSource pg, AgroalDataSource maria,
            LockstepConnectionFactory jms) {
        this.lockstep = lockstep;
        this.ut = lockstep.userTransaction();
        this.pg = pg;
        this.maria = maria;
        this.jms = jms;
    }

    /** Pools of {@code poolSize} for both databases and, with a broker URL, the broker, registered with lockstep. */
    static TransferResources open(Lockstep lockstep, Endpoints e, int poolSize) throws Exception {
        AgroalDataSource pg = LockstepDataSources.postgresql(lockstep, Endpoints.PG_RESOURCE, e.pgUrl(),
                e.pgLogin().user(), e.pgLogin().password(), poolSize);
        AgroalDataSource maria = LockstepDataSources.mysql(lockstep, Endpoints.MARIA_RESOURCE, e.mariaUrl(),
                e.mariaLogin().user(), e.mariaLogin().password(), poolSize);
        LockstepConnectionFactory jms = e.withBroker()
                ? LockstepConnectionFactory.artemis(lockstep, Endpoints.JMS_RESOURCE, e.brokerUrl(),
                        e.brokerLogin().user(), e.brokerLogin().password(), poolSize)
                : null;
        return new TransferResources(lockstep, pg, maria, jms);
    }

    /** Like {@link #open}, but refuses endpoints without a broker: for tests about all three resources. */
    static TransferResources openThree(Lockstep lockstep, Endpoints e, int poolSize) throws Exception {
        if (!e.withBroker()) {
            throw new IllegalArgumentException("three resources need the broker URL");
        }
        return open(lockstep, e, poolSize);
    }

    /** One transfer in one transaction, committed; throws (after rolling back what it began) if it did not commit. */
    void transfer(String run, String id, long amount, int from, int to) throws Exception {
        ut.begin();
        boolean completing = false;
        try {
            work(run, id, amount, from, to);
            completing = true;
            ut.commit();
        } catch (Exception e) {
            rollBackQuietly(completing, e);
            throw e;
        }
    }

    /** Rolls back the thread's transaction after {@code e}, unless commit() was already called (it completes). */
    void rollBackQuietly(boolean completing, Exception e) {
        try {
            if (!completing && ut.getStatus() != Status.STATUS_NO_TRANSACTION) {
                ut.rollback();
            }
        } catch (Exception suppressed) {
            e.addSuppressed(suppressed);
        }
    }

    /**
     * The work of a transfer in the thread's current transaction: PostgreSQL first, then MariaDB (one lock order, so
     * no deadlock spans the databases), then the message if there is a broker.
     */
    void work(String run, String id, long amount, int from, int to) throws Exception {
        try (Connection c = pg.getConnection()) {
            update(c, run, -amount, from);
            insert(c, run, id, amount);
        }
        try (Connection c = maria.getConnection()) {
            update(c, run, amount, to);
            insert(c, run, id, amount);
        }
        if (jms == null) {
            return;
        }
        try (jakarta.jms.Connection c = jms.createConnection()) {
            Session s = c.createSession();
            TextMessage m = s.createTextMessage(id);
            m.setStringProperty("run", run);
            s.createProducer(s.createQueue(TransferTables.QUEUE)).send(m);
        }
    }

    private static void update(Connection c, String run, long delta, int account) throws Exception {
        try (PreparedStatement p = c.prepareStatement(
                "UPDATE transfer_accounts SET balance = balance + ? WHERE run = ? AND id = ?")) {
            p.setLong(1, delta);
            p.setString(2, run);
            p.setInt(3, account);
            if (p.executeUpdate() != 1) {
                throw new IllegalStateException("account " + account + " of run " + run + " is missing: open the "
                        + "accounts (TransferTables.openAccounts) first");
            }
        }
    }

    private static void insert(Connection c, String run, String id, long amount) throws Exception {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO transfers (id, run, amount) VALUES (?, ?, ?)")) {
            p.setString(1, id);
            p.setString(2, run);
            p.setLong(3, amount);
            p.executeUpdate();
        }
    }

    /**
     * Closes the factory and the pools, each on a thread of its own given {@code patience}: after a broker kill the
     * Artemis client can wait its call timeout (30 s) on close (docs/xa-quirks.md). Returns the ones that did not
     * finish
     * in time (left to die with the JVM); the Lockstep is not closed.
     */
    List<String> closePools(Duration patience) throws InterruptedException {
        List<String> hung = new ArrayList<>();
        if (jms != null) {
            closeBounded("jms " + jms.resourceName(), jms::close, patience, hung);
        }
        closeBounded("pg", pg::close, patience, hung);
        closeBounded("maria", maria::close, patience, hung);
        return hung;
    }

    private static void closeBounded(String what, Runnable close, Duration patience, List<String> hung)
            throws InterruptedException {
        Thread t = new Thread(close, "close-" + what);
        t.setDaemon(true);
        t.start();
        t.join(TimeUnit.NANOSECONDS.toMillis(patience.toNanos()));
        if (t.isAlive()) {
            hung.add(what);
        }
    }

    /** Closes the pools (5 s each at most), then Lockstep. */
    @Override
    public void close() throws InterruptedException {
        try {
            closePools(Duration.ofSeconds(5));
        } finally {
            lockstep.close();
        }
    }
}
