package dev.lockstep.it.jndi;

import dev.lockstep.testkit.servers.MariaDbServer;
import dev.lockstep.testkit.servers.PostgresServer;
import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.tm.Lockstep;
import io.agroal.api.AgroalDataSource;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.naming.Context;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * A web application's code: it finds the JTA objects in JNDI where context.xml put them, builds Lockstep's pools on
 * the Lockstep found there, and writes one transfer into PostgreSQL and MariaDB per request.
 *
 * <p>GET /transfer?id=ID&amp;outcome=commit|rollback|duplicate ("duplicate": MariaDB's insert fails on a row that
 * exists, and the servlet rolls back). The answer is one line: the outcome, and what the servlet saw in JNDI.
 */
public final class TransferServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private final String pgUrl;
    private final String mariaUrl;
    private transient UserTransaction ut;
    private transient TransactionManager tm;
    private transient TransactionSynchronizationRegistry tsr;
    private transient Lockstep lockstep;
    private transient AgroalDataSource orders;
    private transient AgroalDataSource billing;

    TransferServlet(String pgUrl, String mariaUrl) {
        this.pgUrl = pgUrl;
        this.mariaUrl = mariaUrl;
    }

    @Override
    public void init() throws ServletException {
        try {
            InitialContext jndi = new InitialContext();
            ut = (UserTransaction) jndi.lookup("java:comp/UserTransaction");
            Context env = (Context) jndi.lookup("java:comp/env");
            tm = (TransactionManager) env.lookup("TransactionManager");
            tsr = (TransactionSynchronizationRegistry) env.lookup("TransactionSynchronizationRegistry");
            lockstep = (Lockstep) env.lookup("lockstep");
        } catch (NamingException e) {
            throw new ServletException("JNDI lookup failed: " + e, e);
        }
        try {
            orders = LockstepDataSources.postgresql(lockstep, "tomcat-orders-pg", pgUrl, PostgresServer.USER,
                    PostgresServer.PASSWORD, 4);
            billing = LockstepDataSources.mysql(lockstep, "tomcat-billing-maria", mariaUrl, MariaDbServer.USER,
                    MariaDbServer.PASSWORD, 4);
        } catch (SQLException e) {
            throw new ServletException("cannot start the pools: " + e, e);
        }
    }

    @Override
    public void destroy() {
        orders.close();
        billing.close();
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String id = req.getParameter("id");
        String outcome = req.getParameter("outcome");
        String answer;
        try {
            ut.begin();
            String seen = "tm-status=" + tm.getStatus() + " tsr-key=" + (tsr.getTransactionKey() != null)
                    + " same-tx=" + (tm.getTransaction() == tsr.getTransactionKey())
                    + " one-lockstep=" + (ut == lockstep.userTransaction() && tm == lockstep.transactionManager()
                            && tsr == lockstep.transactionSynchronizationRegistry())
                    + " node=" + lockstep.nodeId();
            try {
                insert(orders, "INSERT INTO tomcat_orders VALUES (?, 10)", id);
                insert(billing, "INSERT INTO tomcat_billing VALUES (?, 10)",
                        "duplicate".equals(outcome) ? "dup" : id);
            } catch (SQLException e) {
                ut.rollback();
                answer = "rolled-back-after-error " + seen;
                resp.getWriter().print(answer);
                return;
            }
            if ("commit".equals(outcome)) {
                ut.commit();
                answer = "committed " + seen;
            } else {
                ut.rollback();
                answer = "rolled-back " + seen;
            }
        } catch (Exception e) {
            resp.setStatus(500);
            answer = "error " + e;
            try {
                if (ut.getStatus() != Status.STATUS_NO_TRANSACTION) {
                    ut.rollback();
                }
            } catch (Exception ignored) {
                answer += " (and the rollback failed: " + ignored + ")";
            }
        }
        resp.getWriter().print(answer);
    }

    private static void insert(AgroalDataSource ds, String sql, String id) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id);
            s.executeUpdate();
        }
    }
}
